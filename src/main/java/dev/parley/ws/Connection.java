package dev.parley.ws;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.parley.auth.ConnectionAuth;
import dev.parley.config.ParleyConfig;
import dev.parley.hub.Hub;
import dev.parley.hub.Room;
import dev.parley.hub.Subscriber;
import dev.parley.observe.ConnectionTrace;
import dev.parley.observe.Telemetry;
import dev.parley.protocol.CloseReason;
import dev.parley.protocol.Decoder;
import dev.parley.protocol.Encoder;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Frame;
import dev.parley.protocol.Inbound;
import dev.parley.protocol.ProtocolError;

/**
 * One client connection, from open to cleanup. Inbound objects are decoded and applied to the
 * hub on the connection's reader thread ({@link UpgradedConnection}); everything outbound goes
 * through the {@link Outbox} to the single {@link SessionWriter}.
 *
 * <p>However the connection ends — close frame, reset, FIN, a violation, a deadline, overflow,
 * shutdown — its reader ends and calls {@link #cleanup()}, exactly once. A close decided by the
 * server ({@link #closeWith}) leaves the rooms at once, so others see the member go without
 * waiting for the peer's close reply.
 */
final class Connection implements Subscriber {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    /** Invalid messages answered before the connection is closed with 1008 (see {@link AnswerBudget}). */
    static final int ERRORS_BURST = AnswerBudget.ERRORS_BURST;
    /** A client's typing notices reach a room at most this often (the page sends one every ~2 s). */
    static final Duration TYPING_INTERVAL = Duration.ofSeconds(1);
    /**
     * A writer with nothing to do for this long ends; the next frame starts a new one. Long enough
     * that a member of a room that speaks every few seconds keeps its writer (a thread start per
     * delivery otherwise), short enough that an idle connection holds none most of the time.
     */
    static final Duration WRITER_IDLE = Duration.ofSeconds(5);

    private final String id;
    private final StrictSession ws;
    private final ParleyConfig config;
    private final Hub hub;
    private final Decoder decoder;
    private final Connections registry;
    private final ConnectionTrace trace;
    private final Telemetry telemetry;
    private final Outbox outbox;
    private final SessionWriter writer;
    private final String client;
    /** Who the client is and where it may go (auth package); its own fields say which thread touches what. */
    private final ConnectionAuth auth;
    /** Rooms this connection is in → its name there. Written by the reader; read by any closer. */
    private final Map<String, String> rooms = new ConcurrentHashMap<>();
    /** Reader thread only. */
    private final TokenBucket sends;
    /** Reader thread only: every error answer costs from it; a client that runs out is abusive (1008). */
    private final AnswerBudget answers;
    /** Reader thread only: when each room last passed on this connection's typing notice. */
    private final Map<String, Long> typedAt = new java.util.HashMap<>(2);

    /** The first decided reason for ending; null while the connection is healthy. */
    private final AtomicReference<CloseReason> ending = new AtomicReference<>();
    private final AtomicBoolean cleaned = new AtomicBoolean();
    /** When the watchdog next looks at this connection ({@link Connections}). */
    final DueQueue.Due<Connection> due = new DueQueue.Due<>(this);
    /** System.nanoTime() of the last frame of any kind from the client (pongs included). */
    private volatile long lastHeard;
    private volatile long nextPing;
    /** System.nanoTime() when the server asked for a close; the peer has this long to answer. */
    private volatile long closeRequested;
    private volatile int clientCode = CloseReason.NETWORK.code();
    private volatile String clientReason = CloseReason.NETWORK.reason();

    Connection(String id, StrictSession ws, ParleyConfig config, Hub hub, Decoder decoder, Connections registry,
               Telemetry telemetry, ConnectionTrace trace, String client, ConnectionAuth auth) {
        long now = System.nanoTime();
        this.id = id;
        this.ws = ws;
        this.config = config;
        this.hub = hub;
        this.decoder = decoder;
        this.registry = registry;
        this.telemetry = telemetry;
        this.trace = trace;
        this.client = client;
        this.auth = auth;
        this.outbox = new Outbox(config.outboxMaxMessages(), config.outboxMaxBytes(), Frame.MAX_BATCH_BYTES,
                                 this::startWriter, WRITER_IDLE, at -> registry.schedule(this, at));
        this.writer = new SessionWriter(ws, outbox, trace, this::writeFailed,
                                        () -> registry.writing(this, true), () -> registry.writing(this, false));
        this.sends = new TokenBucket(config.ratePerSecond(), config.rateBurst(), now);
        this.answers = new AnswerBudget(now);
        this.lastHeard = now;
        this.nextPing = now + config.heartbeat().toNanos();
    }

    String id() {
        return id;
    }

    String client() {
        return client;
    }

    /** Called on the reader thread in onOpen: greets the client and starts the writer. */
    void start() {
        // Registered first: whatever fails below, the reader's end runs the cleanup that removes it.
        registry.add(this);
        trace.opened(id);
        outbox.offerAlways(Encoder.hello(id, 1, config.heartbeat().toSeconds(), config.maxTextChars(),
                                         config.ratePerSecond(), config.rateBurst(), auth.mode(), auth.tokenUrl()));
        if (!registry.admit(client)) {
            closeWith(CloseReason.TOO_MANY_CONNECTIONS);
        }
    }

    // ---- inbound, on the reader thread -------------------------------------------------------

    void heard() {
        lastHeard = System.nanoTime();
    }

    /** A complete text message (assembled and checked by the frame layer, within parley.max-frame-bytes). */
    void onText(String text) {
        heard();
        if (ending.get() != null) {
            return; // closing: input no longer matters
        }
        trace.in(Utf8.length(text));
        try {
            apply(decoder.decode(text));
        } catch (ProtocolError e) {
            telemetry.rejected(e.code().code());
            CloseReason over = answers.charge(e.code(), System.nanoTime());
            if (over != null) {
                closeWith(over);
                return;
            }
            reply(e.toFrame());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "session " + id + ": internal error", e);
            closeWith(CloseReason.INTERNAL);
        }
    }

    private void apply(Inbound in) throws ProtocolError {
        if (!(in instanceof Inbound.Auth)) {
            auth.requireIdentity(null, null);
        }
        switch (in) {
            case Inbound.Auth a -> {
                reply(auth.authenticate(a.token()));
                registry.schedule(this, System.nanoTime()); // a new token moves its notice and expiry
            }
            case Inbound.Join j -> join(j);
            case Inbound.Leave l -> {
                if (rooms.remove(l.room()) == null) {
                    throw new ProtocolError(ErrorCode.NOT_JOINED, null, l.room());
                }
                hub.leave(this, l.room());
                trace.left(l.room());
                reply(Encoder.left(l.room()));
            }
            case Inbound.Send s -> send(s);
            case Inbound.History h -> {
                member(h.room(), null);
                reply(hub.history(h.room(), h.before(), h.limit()));
            }
            case Inbound.Members m -> {
                member(m.room(), null);
                reply(hub.members(m.room(), m.cursor()));
            }
            case Inbound.Ping p -> reply(Encoder.pong());
            case Inbound.Typing t -> typing(t.room());
        }
    }

    private void join(Inbound.Join j) throws ProtocolError {
        String name = auth.nameFor(j.name(), j.room());
        auth.checkJoin(j.room());
        if (rooms.containsKey(j.room())) {
            throw new ProtocolError(ErrorCode.ALREADY_JOINED, null, j.room());
        }
        if (rooms.size() >= config.roomsPerConnection()) {
            throw new ProtocolError(ErrorCode.TOO_MANY_ROOMS, null, j.room());
        }
        rooms.put(j.room(), name);
        Room.Joined joined;
        try {
            joined = hub.join(this, j.room(), name, j.epoch(), j.since());
        } catch (ProtocolError e) {
            rooms.remove(j.room());
            throw e;
        }
        trace.joined(j.room());
        if (joined.recovered()) {
            trace.event("resume", Map.of("room", j.room(), "replayed", joined.replayed()));
        }
        if (ending.get() != null && rooms.remove(j.room()) != null) {
            hub.leave(this, j.room()); // a close raced with this join: do not leave a ghost member behind
        }
    }

    private void send(Inbound.Send s) throws ProtocolError {
        String name = member(s.room(), s.id());
        auth.checkSend(s.room(), s.id());
        if (!sends.tryTake(System.nanoTime())) {
            throw new ProtocolError(ErrorCode.RATE_LIMITED, s.id(), s.room());
        }
        long start = System.nanoTime();
        outbox.hold(); // our own copy (queued by the publish in a quiet room) and the ack: one frame
        try {
            Room.Published p = hub.publish(s.room(), name, auth.user(), s.text(), s.id());
            long nanos = System.nanoTime() - start;
            if (!p.duplicate()) {
                telemetry.published(nanos);
            }
            trace.published(s.room(), p.seq(), p.fanout(), p.duplicate(), nanos, s.traceparent(), hub.broker().name(), p.brokerNanos());
            reply(Encoder.ack(s.room(), p.seq(), s.id()));
        } finally {
            outbox.release();
        }
    }

    /** Passes on at most one typing notice per room per {@link #TYPING_INTERVAL}; extras are dropped silently. */
    private void typing(String room) throws ProtocolError {
        String name = member(room, null);
        if (!auth.maySend(room)) {
            return; // a reader in a read-only room writes nothing, so it is never "typing"
        }
        long now = System.nanoTime();
        Long last = typedAt.get(room);
        if (last != null && now - last < TYPING_INTERVAL.toNanos()) {
            return;
        }
        typedAt.put(room, now);
        hub.typed(room, name);
    }

    private String member(String room, String ref) throws ProtocolError {
        String name = rooms.get(room);
        if (name == null) {
            throw new ProtocolError(ErrorCode.NOT_JOINED, ref, room);
        }
        return name;
    }

    private void reply(Frame f) {
        if (!outbox.offer(f)) {
            evictSlow();
        }
    }

    // ---- outbound, from any thread -----------------------------------------------------------

    @Override
    public boolean offer(Frame frame) {
        return outbox.offer(frame);
    }

    @Override
    public boolean offerPastBound(Frame frame) {
        return outbox.offerPastBound(frame);
    }

    @Override
    public void offerAlways(Frame frame) {
        outbox.offerAlways(frame);
    }

    @Override
    public void evictSlow() {
        if (ending.get() == null) {
            telemetry.slowConsumer();
            trace.event("slow_consumer");
        }
        closeWith(CloseReason.SLOW_CONSUMER);
    }

    void pong(byte[] payload) {
        outbox.pong(payload);
    }

    // ---- ending ------------------------------------------------------------------------------

    /**
     * Ends the connection from the server side: leave every room now, then the writer sends the
     * close frame (after what is queued, for a drain or a policy close, so the client sees the
     * answers that led to it; instead of it, otherwise: {@link CloseReason#sendsQueuedFirst}).
     * The peer has one write deadline to answer before the socket is aborted.
     */
    void closeWith(CloseReason reason) {
        if (!ending.compareAndSet(null, reason)) {
            return;
        }
        closeRequested = System.nanoTime();
        registry.schedule(this, closeRequested + config.writeDeadline().toNanos() + 1);
        leaveAll();
        outbox.close(reason, reason.sendsQueuedFirst());
    }

    /** Cuts the socket without a close handshake; the reader then ends and cleans up. */
    void abort(CloseReason reason) {
        ending.compareAndSet(null, reason);
        SocketAbort.abort(ws);
    }

    /**
     * The client sent a close frame (reader thread). The reader answers it when we return, so our
     * writer must be gone by then: two writers would corrupt the stream.
     */
    void clientClosed(int code, String reason) {
        clientCode = code;
        clientReason = reason;
        // Recorded also when it answers our own close: the span then shows the handshake completed.
        boolean first = ending.compareAndSet(null, CloseReason.CLIENT);
        trace.event("close.received", Map.of("code", code, "initiated_by_client", first));
        stopWriter();
    }

    private void writeFailed(RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, () -> "session " + id + ": write failed: " + e);
        abort(CloseReason.NETWORK);
    }

    /** Watchdog, every period while a write is under way: a write that takes too long aborts the socket. */
    void checkWrite(long now, long writeDeadline) {
        long started = writer.writeStarted();
        if (started != 0 && now - started > writeDeadline) {
            trace.event("write.deadline");
            abort(CloseReason.WRITE_DEADLINE);
        }
    }

    /**
     * Watchdog, when this connection falls due: idle writer, close handshake timeout, auth,
     * idle timeout, heartbeat. Returns when it is next due (System.nanoTime()), 0 for never.
     */
    long tick(long now, long writeDeadline, long idleTimeout, long heartbeat) {
        if (cleaned.get()) {
            return 0;
        }
        long next = sooner(now + heartbeat, outbox.retireIdleWriter(now));
        long closing = closeRequested;
        if (closing != 0) {
            if (now - closing > writeDeadline) {
                abort(ending.get());
                return 0;
            }
            return sooner(next, closing + writeDeadline + 1);
        }
        CloseReason authEnd = auth.tick(now, System.currentTimeMillis(), this::reply);
        if (authEnd != null) {
            trace.event(authEnd.tag());
            closeWith(authEnd);
            return closeRequested + writeDeadline + 1;
        }
        next = sooner(next, auth.nextDue(now, System.currentTimeMillis()));
        if (now - lastHeard > idleTimeout) {
            trace.event("idle.timeout");
            closeWith(CloseReason.IDLE);
            return closeRequested + writeDeadline + 1;
        }
        next = sooner(next, lastHeard + idleTimeout + 1);
        if (now - nextPing >= 0) {
            nextPing = now + heartbeat;
            outbox.ping();
        }
        return sooner(next, nextPing);
    }

    /** The earlier of two System.nanoTime() values; 0 stands for "never". */
    private static long sooner(long a, long b) {
        if (a == 0) {
            return b;
        }
        if (b == 0) {
            return a;
        }
        return a - b <= 0 ? a : b;
    }

    /** Called by the outbox, under its lock, when work arrives and no writer is running. */
    private Thread startWriter() {
        // Bind this connection's log ids: the thread that starts a writer may work for another one.
        return registry.startThread("parley-writer-" + id, () -> trace.inContext(writer));
    }

    /** Called by the reader as the connection ends (and by nothing else); idempotent: nothing of this connection survives it. */
    void cleanup() {
        if (cleaned.compareAndSet(false, true)) {
            trace.inContext(this::release);
        }
    }

    private void release() {
        long start = System.nanoTime();
        due.release();
        ending.compareAndSet(null, CloseReason.NETWORK);
        leaveAll();
        stopWriter();
        registry.remove(this);
        CloseReason reason = ending.get();
        boolean byClient = reason == CloseReason.CLIENT;
        trace.end(reason, byClient ? clientCode : reason.code(), byClient ? clientReason : reason.reason(),
                  System.nanoTime() - start);
    }

    private void leaveAll() {
        for (String room : rooms.keySet()) {
            if (rooms.remove(room) != null) {
                hub.leave(this, room);
                trace.left(room);
            }
        }
    }

    /** Stops the writer and waits for it; a writer stuck in a write is freed by aborting the socket. */
    private void stopWriter() {
        outbox.stop();
        Thread w = outbox.writer();
        if (w == null || w == Thread.currentThread()) {
            return;
        }
        try {
            Duration wait = config.writeDeadline();
            if (!w.join(wait)) {
                abort(CloseReason.WRITE_DEADLINE);
                w.join(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
