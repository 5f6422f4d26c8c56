import type net from "node:net";

/**
 * Binds a server: resolves once it listens, rejects with the bind's error (a port in use, a
 * refused address) so that the start fails with it; errors after that go to `onError`
 * (a listener keeps running through them: EMFILE is the fd-limit watch's).
 */
export async function listenServer(server: net.Server, options: net.ListenOptions, onError: (err: Error) => void): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", onError);
}
