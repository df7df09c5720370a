package dev.parley.ws;

/**
 * Told once that a connection is over, after its last other callback, however it ended: close
 * frame, end of stream, reset, read error, an aborted write, server stop. Runs on the
 * connection's reader thread, which ends right after.
 */
interface ConnectionEnded {
    void connectionEnded();
}
