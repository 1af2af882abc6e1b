// Test support: harmless stand-ins for the clients Lumen launches: shell scripts named `claude`
// and `cursor` that record their arguments and environment, first on a PATH of their own.

/** Records `"$@"` and `env`, NUL-separated, as <name>.args / <name>.env in $LUMEN_STANDIN_DIR. */
const STAND_IN = `#!/bin/sh
name=$(basename "$0")
out="$LUMEN_STANDIN_DIR/$name"
printf '%s\\0' "$$" "$@" > "$out.args.tmp"
env -0 > "$out.env.tmp"
mv "$out.args.tmp" "$out.args"
mv "$out.env.tmp" "$out.env"
echo "stand-in $name ran"
exit 3
`;
/** The system programs a stand-in needs (sh, env, mv), and nothing that could be a real client. */
export const SYSTEM_PATH = "/usr/bin:/bin";

/** A temp dir with `bin/claude` and `bin/cursor` stand-ins and an empty `out/`. */
export async function standIns() {
  const dir = await Deno.makeTempDir({ prefix: "lumen-launch-" });
  await Deno.mkdir(`${dir}/bin`);
  await Deno.mkdir(`${dir}/out`);
  for (const name of ["claude", "cursor"]) {
    await Deno.writeTextFile(`${dir}/bin/${name}`, STAND_IN, { mode: 0o755 });
  }
  return {
    dir,
    bin: `${dir}/bin`,
    out: `${dir}/out`,
    env: { PATH: `${dir}/bin:${SYSTEM_PATH}`, LUMEN_STANDIN_DIR: `${dir}/out` },
    /** What the stand-in `name` recorded, waiting up to 10 s for it. */
    async recorded(name: string) {
      const deadline = Date.now() + 10_000;
      while (!(await Deno.stat(`${dir}/out/${name}.env`).catch(() => null))) {
        if (Date.now() > deadline) throw new Error(`The ${name} stand-in never ran`);
        await new Promise((r) => setTimeout(r, 25));
      }
      const [pid, ...args] = (await Deno.readTextFile(`${dir}/out/${name}.args`)).split("\0")
        .slice(0, -1);
      const env = Object.fromEntries(
        (await Deno.readTextFile(`${dir}/out/${name}.env`)).split("\0").slice(0, -1).map((e) => {
          const eq = e.indexOf("=");
          return [e.slice(0, eq), e.slice(eq + 1)];
        }),
      );
      return { pid: Number(pid), args, env };
    },
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}
