// Desktop notifications, best effort: notify-send (Linux and other Unixes), osascript (macOS), a
// PowerShell toast (Windows). Text always travels as an argument or an environment variable, never
// spliced into a script. A missing or failing notifier is logged once and otherwise ignored.

/** A program and its argument vector (plus variables) that shows one notification. */
export interface NotifyCommand {
  cmd: string;
  args: string[];
  env?: Record<string, string>;
}

/** The command that shows `title` / `body` on `os` (Deno.build.os). */
export function notifyCommand(os: string, title: string, body: string): NotifyCommand {
  if (os === "darwin") {
    // `on run argv`: the text arrives as arguments, so quotes in it cannot end the AppleScript string.
    return {
      cmd: "osascript",
      args: [
        "-e",
        "on run argv",
        "-e",
        "display notification (item 2 of argv) with title (item 1 of argv)",
        "-e",
        "end run",
        title,
        body,
      ],
    };
  }
  if (os === "windows") {
    const script = [
      "$ErrorActionPreference = 'Stop'",
      "[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime] | Out-Null",
      "$xml = [Windows.UI.Notifications.ToastNotificationManager]::GetTemplateContent([Windows.UI.Notifications.ToastTemplateType]::ToastText02)",
      "$text = $xml.GetElementsByTagName('text')",
      "$text.Item(0).AppendChild($xml.CreateTextNode($env:LUMEN_NOTIFY_TITLE)) | Out-Null",
      "$text.Item(1).AppendChild($xml.CreateTextNode($env:LUMEN_NOTIFY_BODY)) | Out-Null",
      "$toast = [Windows.UI.Notifications.ToastNotification]::new($xml)",
      "[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier('Lumen').Show($toast)",
    ].join("; ");
    return {
      cmd: "powershell.exe",
      args: ["-NoProfile", "-NonInteractive", "-Command", script],
      env: { LUMEN_NOTIFY_TITLE: title, LUMEN_NOTIFY_BODY: body },
    };
  }
  return { cmd: "notify-send", args: ["--app-name=Lumen", "--", title, body] };
}

/** Options of createNotifier(). */
export interface NotifierOptions {
  os: string;
  log(line: string): void;
  /** Runs a command to its end; default Deno.Command with no stdio. */
  run?(command: NotifyCommand): Promise<{ success: boolean; code: number }>;
}

/** Returns `notify(title, body)`: fire and forget, never throws, logs its first failure only. */
export function createNotifier(options: NotifierOptions): (title: string, body: string) => void {
  const run = options.run ?? runCommand;
  let logged = false;
  const fail = (command: NotifyCommand, why: string) => {
    if (logged) return;
    logged = true;
    options.log(
      `Desktop notifications are unavailable (${command.cmd} ${why}); alerts still ` +
        `show in the dashboard`,
    );
  };
  return (title, body) => {
    const command = notifyCommand(options.os, title, body);
    let started: Promise<{ success: boolean; code: number }>;
    try {
      started = run(command);
    } catch (error) {
      return fail(command, messageOf(error));
    }
    started.then(
      (status) => status.success || fail(command, `exited with ${status.code}`),
      (error) => fail(command, messageOf(error)),
    );
  };
}

async function runCommand(command: NotifyCommand): Promise<{ success: boolean; code: number }> {
  const child = new Deno.Command(command.cmd, {
    args: command.args,
    env: command.env,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const status = await child.status;
  return { success: status.success, code: status.code };
}

function messageOf(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "was not found";
  return error instanceof Error ? error.message : String(error);
}
