import assert from "node:assert/strict";
import { createNotifier, type NotifyCommand, notifyCommand } from "./notify.ts";

Deno.test("notifyCommand() passes the text as arguments or variables, never inside a script", () => {
  const title = `Lumen "budget"`;
  const body = `Daily budget: 80% reached ($0.80 of $1.00) '; rm -rf ~`;
  assert.deepEqual(notifyCommand("linux", title, body), {
    cmd: "notify-send",
    args: ["--app-name=Lumen", "--", title, body],
  });
  const mac = notifyCommand("darwin", title, body);
  assert.equal(mac.cmd, "osascript");
  assert.deepEqual(mac.args.slice(-2), [title, body]);
  assert.ok(mac.args.slice(0, -2).every((arg) => !arg.includes(body)));
  const windows = notifyCommand("windows", title, body);
  assert.equal(windows.cmd, "powershell.exe");
  assert.ok(windows.args.every((arg) => !arg.includes(body) && !arg.includes(title)));
  assert.deepEqual(windows.env, { LUMEN_NOTIFY_TITLE: title, LUMEN_NOTIFY_BODY: body });
});

Deno.test("createNotifier() logs only its first failure and never throws", async () => {
  const log: string[] = [];
  const ran: NotifyCommand[] = [];
  let settle = () => {};
  const done = new Promise<void>((resolve) => settle = resolve);
  const notify = createNotifier({
    os: "linux",
    log: (line) => log.push(line),
    run(command) {
      ran.push(command);
      if (ran.length === 1) throw new Deno.errors.NotFound("notify-send");
      if (ran.length === 3) settle();
      return Promise.reject(new Error("spawn failed"));
    },
  });
  notify("a", "b");
  notify("c", "d");
  notify("e", "f");
  await done;
  await Promise.resolve();
  assert.equal(ran.length, 3);
  assert.equal(log.length, 1);
  assert.match(log[0], /notify-send was not found/);
});

Deno.test("createNotifier() runs a real missing program without throwing", async () => {
  const log: string[] = [];
  const { promise, resolve } = Promise.withResolvers<void>();
  const notify = createNotifier({
    os: "linux",
    log: (line) => {
      log.push(line);
      resolve();
    },
    run: (command) =>
      new Deno.Command("/nonexistent/lumen-notify", { args: command.args }).output().then((o) => ({
        success: o.success,
        code: o.code,
      })),
  });
  notify("t", "b");
  await promise;
  assert.equal(log.length, 1);
});
