import assert from "node:assert/strict";
import type { LauncherDefinition, Os } from "./definitions.ts";
import { findProgram, isBatchFile, isExecutableFile } from "./find.ts";

function definition(os: Os, candidates: string[]): LauncherDefinition {
  const entry = { candidates: [] as string[] };
  return {
    id: "x",
    name: "X",
    description: "",
    kind: "terminal",
    mode: "relay",
    variables: { relay: [] },
    install: "",
    os: { darwin: entry, linux: entry, windows: entry, [os]: { candidates } },
  };
}

function find(os: Os, candidates: string[], env: Record<string, string>, files: string[]) {
  const tried: string[] = [];
  const result = findProgram(definition(os, candidates), {
    os,
    env: (name) => env[name],
    isExecutable: (path) => {
      tried.push(path);
      return files.includes(path);
    },
  });
  return { ...result, tried };
}

Deno.test("findProgram() never searches an empty or relative PATH entry (the current directory)", () => {
  const found = find("linux", ["claude"], { PATH: ":.:bin:/usr/bin:" }, [
    "claude",
    "./claude",
    "bin/claude",
    "/claude",
  ]);
  assert.equal(found.path, null);
  assert.deepEqual(found.tried, ["/usr/bin/claude"]);
  assert.deepEqual(found.looked, ["claude on PATH"]);
});

Deno.test("findProgram() tries PATHEXT in order on Windows, and quoted PATH entries", () => {
  const env = { PATH: 'C:\\a;"C:\\Program Files\\b";relative', PATHEXT: ".EXE;.CMD" };
  const found = find("windows", ["tool"], env, [
    "C:\\a\\tool", // no extension: an npm sh script that Windows cannot run
    "C:\\Program Files\\b\\tool.cmd",
    "C:\\Program Files\\b\\tool.exe",
  ]);
  assert.equal(found.path, "C:\\Program Files\\b\\tool.exe");
  assert.deepEqual(found.tried, [
    "C:\\a\\tool.exe",
    "C:\\a\\tool.cmd",
    "C:\\Program Files\\b\\tool.exe",
  ]);
  // Without PATHEXT, Windows' default list applies; a name with an extension is tried as is.
  assert.equal(find("windows", ["t"], { PATH: "C:\\a" }, ["C:\\a\\t.bat"]).path, "C:\\a\\t.bat");
  assert.equal(
    find("windows", ["Cursor.exe"], { PATH: "C:\\a" }, ["C:\\a\\Cursor.exe"]).path,
    "C:\\a\\Cursor.exe",
  );
});

Deno.test("findProgram() expands ~ and %NAME%, and skips candidates whose variable is unset", () => {
  const env = { HOME: "/home/u/", LOCALAPPDATA: "C:\\L", USERPROFILE: "C:\\U" };
  const unix = find("linux", ["~/.local/bin/claude", "%SHELL%"], env, []);
  assert.deepEqual(unix.looked, ["/home/u/.local/bin/claude"]);
  const windows = find("windows", ["%LOCALAPPDATA%\\x.exe", "~\\y.exe", "%NOPE%\\z.exe"], env, [
    "C:\\U\\y.exe",
  ]);
  assert.deepEqual(windows.looked, ["C:\\L\\x.exe", "C:\\U\\y.exe"]);
  assert.equal(windows.path, "C:\\U\\y.exe");
  // A variable holding a relative path is not a place to start a program from.
  assert.equal(find("linux", ["%SHELL%"], { SHELL: "zsh" }, ["zsh"]).path, null);
});

Deno.test("isBatchFile() knows .cmd and .bat in any case", () => {
  assert.ok(isBatchFile("C:\\npm\\claude.CMD"));
  assert.ok(isBatchFile("x.bat"));
  assert.ok(!isBatchFile("C:\\x\\Cursor.exe"));
  assert.ok(!isBatchFile("/usr/bin/cmd"));
});

Deno.test({
  name: "isExecutableFile() wants a file with an execute bit",
  ignore: Deno.build.os === "windows",
  fn() {
    const dir = Deno.makeTempDirSync();
    try {
      Deno.writeTextFileSync(`${dir}/plain`, "", { mode: 0o644 });
      Deno.writeTextFileSync(`${dir}/tool`, "", { mode: 0o755 });
      assert.equal(isExecutableFile(`${dir}/plain`), false);
      assert.equal(isExecutableFile(`${dir}/tool`), true);
      assert.equal(isExecutableFile(dir), false);
      assert.equal(isExecutableFile(`${dir}/missing`), false);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
