// The application: a menu bar item (LSUIElement, no Dock icon) that starts and supervises the
// bundled `lumen serve` and shows what GET /api/statusbar says. All figures and menu entries are
// computed by the daemon (core/api/statusbar.ts), where they are tested.
import AppKit

@main
final class LumenApp: NSObject, NSApplicationDelegate {
    /** The daemon's API; `lumen serve` listens there unless LUMEN_API_PORT says otherwise. */
    private let api: URL = {
        let port = ProcessInfo.processInfo.environment["LUMEN_API_PORT"].flatMap { Int($0) } ?? 9091
        // A literal that always parses; the port is an Int, so the string stays a valid URL.
        return URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/")
    }()
    private var supervisor: Supervisor?
    private var status: StatusController?

    static func main() {
        let app = NSApplication.shared
        let delegate = LumenApp()
        app.delegate = delegate  // a weak reference: `delegate` lives until run() returns
        app.setActivationPolicy(.accessory)
        withExtendedLifetime(delegate) { app.run() }
    }

    func applicationDidFinishLaunching(_ notification: Notification) {
        if let supervisor = Supervisor(bundle: .main, api: api) {
            self.supervisor = supervisor
            supervisor.start()
        } else {
            NSLog("Lumen: no bundled lumen binary; showing a daemon started elsewhere")
        }
        let status = StatusController(api: api, onQuit: { NSApp.terminate(nil) })
        self.status = status
        status.start()
    }

    func applicationWillTerminate(_ notification: Notification) {
        status?.stop()
        supervisor?.stop()  // SIGTERM, then waits (bounded) so lumen.db is flushed before we exit
    }
}
