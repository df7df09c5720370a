package dev.parley.browser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP relay between one browser and the server, to break that browser's network
 * without touching the server: {@link #cut} drops its sockets like a lost network,
 * {@link #freeze} makes them silently dead, {@link #pause} holds traffic back for a while.
 */
final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Object gate = new Object();
    private volatile boolean refusing; // after cut(): new connections are closed at once
    private boolean paused;            // guarded by gate: no byte moves in either direction

    TcpProxy(int targetPort) {
        this.targetPort = targetPort;
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().name("proxy-accept").start(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted so far, refused ones included. */
    int accepted() {
        return accepted.get();
    }

    /** Drops every relayed connection and refuses new ones until {@link #restore}. */
    void cut() {
        refusing = true;
        links.forEach(Link::close);
    }

    void restore() {
        refusing = false;
    }

    /** The current connections stay open but never carry another byte; new ones work. */
    void freeze() {
        synchronized (gate) {
            links.forEach(l -> l.frozen = true);
        }
    }

    void pause() {
        synchronized (gate) {
            paused = true;
        }
    }

    void resume() {
        synchronized (gate) {
            paused = false;
            gate.notifyAll();
        }
    }

    @Override
    public void close() {
        cut();
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing is best effort; the test is over
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                if (refusing) {
                    client.close();
                    continue;
                }
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                Link link = new Link(client, server);
                links.add(link);
                Thread.ofVirtual().start(() -> link.pump(client, server));
                Thread.ofVirtual().start(() -> link.pump(server, client));
            } catch (IOException e) {
                // listener closed, or the server refused: the browser sees its connection fail
            }
        }
    }

    private final class Link {
        private final Socket a;
        private final Socket b;
        private boolean frozen; // guarded by gate

        Link(Socket a, Socket b) {
            this.a = a;
            this.b = b;
        }

        void pump(Socket from, Socket to) {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    awaitOpenGate();
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side closed or the link was cut: close both below
            } finally {
                close();
            }
        }

        private void awaitOpenGate() throws InterruptedException, IOException {
            synchronized (gate) {
                while ((paused || frozen) && !a.isClosed()) {
                    gate.wait(100);
                }
            }
            if (a.isClosed()) {
                throw new IOException("link closed");
            }
        }

        void close() {
            links.remove(this);
            try {
                a.close();
                b.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
