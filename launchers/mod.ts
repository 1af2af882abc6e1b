// Clients Lumen can start: their definitions per OS (definitions.ts), the variables that send them
// through Lumen (env.ts) and those as shell lines (shell.ts), finding a client (find.ts), starting
// it (launch.ts), and the daemon's list and launches (service.ts). Only core/main.ts and core/cli/
// import this folder; it imports nothing from Lumen but the API's LauncherInfo type, and
// definitions.ts, env.ts and shell.ts stay pure (scripts/check_deps.ts checks both).
export {
  defaultMode,
  launcherById,
  type LauncherDefinition,
  LAUNCHERS,
  type LaunchMode,
  type Os,
} from "./definitions.ts";
export { envFor, type EnvPaths, launchEnv } from "./env.ts";
export { type FindContext, findProgram, isExecutableFile } from "./find.ts";
export { type LaunchPlan, planLaunch, runInForeground, startDetached } from "./launch.ts";
export {
  createLauncherService,
  envLines,
  launcherOs,
  notFound,
  unknownLauncher,
} from "./service.ts";
export { defaultShell, isShell, type Shell, SHELLS } from "./shell.ts";
