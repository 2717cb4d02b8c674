import net from "node:net";
import { execa, type ResultPromise } from "execa";

/** A free loopback port, picked by the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface Server {
  readonly baseUrl: string;
  /** `host:port` of the protocol's gRPC service (`GRPC_PORT`), for servers that have one. */
  readonly grpcTarget: string;
  stop(): Promise<void>;
}

const STARTUP_SECONDS = 120;

/** A long-running command in its own process group, its output's tail kept for errors. */
export interface Background {
  readonly child: ResultPromise;
  /** The last 4,000 characters it wrote (stdout and stderr). */
  log(): string;
  exited(): boolean;
  /** Signals the whole group (`signal`, then SIGKILL after 10 s) and waits for it to end. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `command` detached, in its own process group, so `stop` ends the whole chain
 * (make → uv → python, or uv → mlflow and its workers), not only its first process.
 */
export function startBackground(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string> },
): Background {
  const child: ResultPromise = execa(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    reject: false,
    stdin: "ignore",
    all: true,
    buffer: false,
  });
  // Keep only the tail of the log: the access log of a load test would fill memory.
  let tail = "";
  child.all?.on("data", (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  });
  let exited = false;
  void child.then(() => {
    exited = true;
  });
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
    const killer = setTimeout(() => {
      try {
        if (!exited && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone in the meantime
      }
    }, 10_000);
    await child;
    clearTimeout(killer);
  };
  return { child, log: () => tail, exited: () => exited, stop };
}

/**
 * Run `command` (a uvicorn server) on a free loopback port given as `PORT` (and another as
 * `GRPC_PORT`, for the service's gRPC server), and wait, bounded,
 * until `readyPath` answers 200. The command runs in its own process group so `stop` ends
 * the whole chain (make → uv → python), not only its first process.
 */
export async function startServer(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; readyPath: string },
): Promise<Server> {
  const port = await freePort();
  const grpcPort = await freePort();
  const env = {
    ...options.env,
    HOST: "127.0.0.1",
    PORT: String(port),
    GRPC_PORT: String(grpcPort),
  };
  const background = startBackground(command, args, { cwd: options.cwd, env });
  const stop = () => background.stop();
  const baseUrl = `http://127.0.0.1:${port}`;
  const grpcTarget = `127.0.0.1:${grpcPort}`;
  const deadline = Date.now() + STARTUP_SECONDS * 1000;
  while (Date.now() < deadline && !background.exited()) {
    try {
      const res = await fetch(baseUrl + options.readyPath, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return { baseUrl, grpcTarget, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`${command} ${args.join(" ")} did not become ready:\n${background.log()}`);
}

/** A service that answers the protocol's readiness route (e2e and bench share this type). */
export type RunningService = Server;

/** `make serve` in `projectDir` on a loopback port, ready once `/v2/health/ready` answers 200. */
export function startService(
  projectDir: string,
  env: Record<string, string> = {},
): Promise<RunningService> {
  return startServer("make", ["serve"], { cwd: projectDir, env, readyPath: "/v2/health/ready" });
}
