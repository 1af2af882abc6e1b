// Starts the bundled `lumen serve` (Contents/MacOS/lumen), restarts it when it exits unexpectedly
// (with exponential backoff, reset after a minute of good health) and stops it on quit. When a
// daemon already answers on the API port (e.g. the login service from scripts/install.sh), it
// starts none and checks again later, rather than fighting over the port.
import Foundation

final class Supervisor {
    private let executable: URL
    private let health: URL
    private let session: URLSession
    private var process: Process?
    private var stopping = false
    private var failures = 0
    private var startedAt = Date.distantPast
    private let log: FileHandle?

    /** Nil when the app bundle holds no `lumen` binary. */
    init?(bundle: Bundle, api: URL) {
        guard let executable = bundle.url(forAuxiliaryExecutable: "lumen")
            ?? bundle.url(forResource: "lumen", withExtension: nil)
        else { return nil }
        self.executable = executable
        self.health = api.appendingPathComponent("api/health")
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 2
        config.connectionProxyDictionary = [:]  // never through a system proxy: it is loopback
        self.session = URLSession(configuration: config)
        self.log = Supervisor.openLog()
    }

    /** Starts the daemon unless one already answers; call on the main thread. */
    func start() {
        guard !stopping, process == nil else { return }
        session.dataTask(with: health) { [weak self] _, response, _ in
            let answering = (response as? HTTPURLResponse)?.statusCode == 200
            DispatchQueue.main.async { self?.spawn(unlessAnswering: answering) }
        }.resume()
    }

    /** Stops the daemon: SIGTERM, up to 5 s to exit, then SIGKILL. */
    func stop() {
        stopping = true
        guard let process = process, process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private func spawn(unlessAnswering answering: Bool) {
        guard !stopping, process == nil else { return }
        if answering {
            after(30) { [weak self] in self?.start() }
            return
        }
        let child = Process()
        child.executableURL = executable
        child.arguments = ["serve"]
        if let log = log {
            child.standardOutput = log
            child.standardError = log
        }
        child.terminationHandler = { [weak self] ended in
            DispatchQueue.main.async { self?.exited(ended) }
        }
        do {
            try child.run()
            process = child
            startedAt = Date()
        } catch {
            NSLog("%@", "Lumen: cannot start \(executable.path): \(error.localizedDescription)")
            restartLater()
        }
    }

    private func exited(_ ended: Process) {
        guard ended === process else { return }
        process = nil
        if stopping { return }
        NSLog("%@", "Lumen: lumen serve exited (status \(ended.terminationStatus)); restarting")
        if Date().timeIntervalSince(startedAt) > 60 { failures = 0 }
        restartLater()
    }

    /** 1 s, 2 s, 4 s … capped at 60 s. */
    private func restartLater() {
        let delay = min(60, pow(2, Double(min(failures, 6))))
        failures += 1
        after(delay) { [weak self] in self?.start() }
    }

    private func after(_ seconds: Double, _ work: @escaping () -> Void) {
        DispatchQueue.main.asyncAfter(deadline: .now() + seconds, execute: work)
    }

    /** ~/Library/Logs/Lumen/lumen.log, appended to; nil (output discarded) when it cannot be made. */
    private static func openLog() -> FileHandle? {
        let fm = FileManager.default
        guard let library = fm.urls(for: .libraryDirectory, in: .userDomainMask).first else {
            return nil
        }
        let dir = library.appendingPathComponent("Logs/Lumen", isDirectory: true)
        let file = dir.appendingPathComponent("lumen.log")
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            if !fm.fileExists(atPath: file.path) { fm.createFile(atPath: file.path, contents: nil) }
            let handle = try FileHandle(forWritingTo: file)
            _ = handle.seekToEndOfFile()
            return handle
        } catch {
            return nil
        }
    }
}
