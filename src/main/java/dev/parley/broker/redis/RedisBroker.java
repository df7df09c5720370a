package dev.parley.broker.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import dev.parley.broker.Broker;
import dev.parley.broker.BrokerConfig;
import dev.parley.broker.BrokerUnavailable;
import dev.parley.broker.Delivery;
import dev.parley.broker.Message;
import dev.parley.protocol.Encoder;
import dev.parley.protocol.Frame;

/**
 * Rooms shared by every node through Redis. A room's log is a stream whose entry ids are the
 * seqs; a publish is one Lua script (idempotency, seq, append, trim, TTLs, announcement), so the
 * sender is acked only once its message is in Redis. Each node subscribes to the channels of the
 * rooms it has members in and hands what arrives to the {@link Delivery} door — its own messages
 * too: one way in, whoever published.
 *
 * <p>Gaps are never skipped. The door answers a seq above the room's next with a gap, which is
 * filled from the stream first; a seq at or below it is dropped. Every
 * {@code parley.broker.redis.check-interval} the node compares each room's position with Redis'
 * (a message lost in pub/sub, or published while the node was reconnecting, is read from the
 * stream) and probes its own subscription with a message to itself: a subscription that stopped
 * delivering is opened again. A gap the stream no longer holds, or a new epoch, resets the room's
 * members (a {@code joined} with {@code reset}).
 *
 * <p>Threads: Lettuce's event loops (owned through {@link ClientResources}) and one dispatcher,
 * which alone calls the door, so each room's messages pass it in order. Both end in {@link #close()}.
 */
public final class RedisBroker implements Broker {
    private static final System.Logger LOG = System.getLogger(RedisBroker.class.getName());
    /** A node whose probes have not come back this many checks in a row opens its subscription again. */
    private static final int PROBES_MISSED = 3;
    /** Channels per SUBSCRIBE when everything is subscribed again. */
    private static final int SUBSCRIBE_BATCH = 500;

    private final BrokerConfig config;
    private final int historySize;
    private final long historyTtlMillis;
    private final String node = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    private final String probeChannel;
    private final Script publish = Script.load("publish");
    private final Script backlog = Script.load("backlog");
    private final Script range = Script.load("range");
    private final Script page = Script.load("page");
    private final Script position = Script.load("position");
    private final Script presence = Script.load("presence");
    private final Script members = Script.load("members");
    private final RedisMetrics metrics;
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisClusterClient clusterClient;
    /** Announcements from the subscription (Lettuce's threads) to the dispatcher. */
    private final LinkedBlockingQueue<Announcement> inbox = new LinkedBlockingQueue<>();
    /** Rooms followed → how many local holders; guarded by itself. */
    private final Map<String, Integer> followed = new HashMap<>();
    /** Rooms → names present on this node; guarded by {@code followed}. */
    private final Map<String, Set<String>> present = new HashMap<>();
    /** Rooms whose subscription was asked for → its completion; guarded by {@code followed}. */
    private final Map<String, CompletableFuture<Void>> subscribing = new HashMap<>();
    private final AtomicInteger probesOutstanding = new AtomicInteger();
    /** Each followed room's position at the previous check; the dispatcher's own. */
    private final Map<String, Position> seen = new HashMap<>();
    /** The connections; replaced by the dispatcher when it (re)connects, read by any thread. */
    private volatile StatefulConnection<String, String> commands;
    private volatile StatefulRedisPubSubConnection<String, String> subscription;
    /** False while Redis cannot be reached; set by command outcomes and the connection's events. */
    private volatile boolean available;
    /** Set when the connection came back: the dispatcher re-reads every room's position. */
    private volatile boolean resync;
    private volatile boolean closed;
    private volatile Delivery door;
    private Thread dispatcher;

    public RedisBroker(BrokerConfig config, int historySize, Duration historyTtl, RedisMetrics metrics) {
        this.config = config;
        this.historySize = historySize;
        this.historyTtlMillis = historyTtl.toMillis();
        this.metrics = metrics;
        this.probeChannel = Keys.probeChannel(node);
        this.resources = DefaultClientResources.create();
        RedisURI uri = RedisURI.create(config.redisUrl());
        uri.setTimeout(config.timeout());
        TimeoutOptions timeouts = TimeoutOptions.enabled(config.timeout());
        if (config.cluster()) {
            this.client = null;
            this.clusterClient = RedisClusterClient.create(resources, uri);
            // Commands wait (up to the timeout) for a node connection still being opened: the
            // cluster client opens one per master on first use, and rejecting would fail those.
            clusterClient.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .timeoutOptions(timeouts)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers().build())
                    .build());
            clusterClient.addListener(new StateListener());
        } else {
            this.clusterClient = null;
            this.client = RedisClient.create(resources, uri);
            client.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(timeouts)
                    .build());
            client.addListener(new StateListener());
        }
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public void start(Delivery delivery) {
        this.door = delivery;
        connect();
        dispatcher = Thread.ofPlatform().name("parley-redis-dispatch").daemon().start(this::dispatch);
    }

    // ---- the log ---------------------------------------------------------------------------------

    @Override
    public Appended publish(String room, String from, String user, String text, String id, long ts) throws BrokerUnavailable {
        Keys k = new Keys(room);
        String encoded = Encoder.message(room, 0, from, user, text, ts, id).json();
        int at = encoded.indexOf(",\"seq\":0,") + ",\"seq\":".length(); // the room is before it and needs no escaping
        long start = System.nanoTime();
        List<Object> r = call(() -> publish.run(scripting(), new String[] {k.epoch(), k.seq(), k.log(), k.ids()},
                id == null ? "" : from + "\n" + id, newEpoch(), Integer.toString(historySize),
                Long.toString(historyTtlMillis), encoded.substring(0, at), encoded.substring(at + 1),
                k.channel(), config.cluster() ? "1" : "0"));
        metrics.published(System.nanoTime() - start);
        return new Appended(asLong(r.get(0)), (String) r.get(1), asLong(r.get(2)) == 1);
    }

    @Override
    public Backlog backlog(String room, String epoch, Long since, int last) throws BrokerUnavailable {
        Keys k = new Keys(room);
        List<Object> r = call(() -> backlog.run(scripting(),
                new String[] {k.epoch(), k.seq(), k.log(), k.ids(), k.names()},
                newEpoch(), epoch == null ? "" : epoch, since == null ? "" : Long.toString(since),
                Integer.toString(last), Long.toString(historyTtlMillis), Integer.toString(MEMBERS_LISTED)));
        String current = (String) r.get(0);
        boolean recovered = asLong(r.get(2)) == 1;
        List<Message> messages = entries(room, current, r.get(3));
        if (!recovered) {
            messages = messages.reversed(); // newest first from XREVRANGE
        }
        List<String> names = new ArrayList<>(new TreeSet<>(strings(r.get(4))));
        return new Backlog(current, asLong(r.get(1)), recovered, messages, names, (int) asLong(r.get(5)));
    }

    /** HSCAN over the room's names: its cursor is the page's {@code next}; a page may be short or repeat a name. */
    @Override
    public Members members(String room, String cursor) throws BrokerUnavailable {
        Keys k = new Keys(room);
        List<Object> r = call(() -> members.run(scripting(), new String[] {k.names()},
                cursor == null ? "0" : cursor, Integer.toString(MEMBERS_LISTED)));
        String next = (String) r.get(0);
        List<String> names = new ArrayList<>(new TreeSet<>(strings(r.get(1))));
        return new Members(names, "0".equals(next) ? null : next, (int) asLong(r.get(2)));
    }

    @Override
    public List<Message> range(String room, long from, long to) throws BrokerUnavailable {
        Keys k = new Keys(room);
        List<Object> r = call(() -> range.run(scripting(), new String[] {k.epoch(), k.log()},
                Long.toString(from), Long.toString(to)));
        return entries(room, (String) r.get(0), r.get(1));
    }

    @Override
    public Page page(String room, Long before, int limit) throws BrokerUnavailable {
        Keys k = new Keys(room);
        List<Object> r = call(() -> page.run(scripting(), new String[] {k.epoch(), k.log()},
                before == null ? "" : Long.toString(before), Integer.toString(limit)));
        List<Message> found = entries(room, (String) r.get(0), r.get(1)).reversed();
        String oldest = (String) r.get(2);
        boolean more = !found.isEmpty() && !oldest.isEmpty() && found.getFirst().seq() > seqOf(oldest);
        return new Page(found, more);
    }

    // ---- following rooms -------------------------------------------------------------------------

    @Override
    public void subscribe(String room) throws BrokerUnavailable {
        CompletableFuture<Void> done;
        synchronized (followed) {
            if (followed.merge(room, 1, Integer::sum) == 1) {
                // Issued under the lock, so SUBSCRIBE and UNSUBSCRIBE of one room leave in the order
                // the counts changed; waited for outside it.
                subscribing.put(room, issueSubscribe(List.of(room)));
            }
            done = subscribing.get(room);
        }
        try {
            done.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            unsubscribe(room);
            markDown(e);
            throw new BrokerUnavailable("could not subscribe to room " + room, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unsubscribe(room);
            throw new BrokerUnavailable("interrupted", e);
        }
    }

    @Override
    public void unsubscribe(String room) {
        synchronized (followed) {
            Integer left = followed.computeIfPresent(room, (r, n) -> n == 1 ? null : n - 1);
            if (left == null) {
                subscribing.remove(room);
                StatefulRedisPubSubConnection<String, String> s = subscription;
                if (s != null && s.isOpen()) {
                    if (config.cluster()) {
                        sharded((StatefulRedisClusterPubSubConnection<String, String>) s, false, new Keys(room).channel());
                    } else {
                        s.async().unsubscribe(new Keys(room).channel());
                    }
                }
            }
        }
    }

    @Override
    public void arrived(String room, String name) throws BrokerUnavailable {
        synchronized (followed) {
            present.computeIfAbsent(room, r -> new TreeSet<>()).add(name);
        }
        try {
            presence(room, "arrive", List.of(name));
        } catch (BrokerUnavailable e) {
            forget(room, name);
            throw e;
        }
    }

    @Override
    public void departed(String room, String name) {
        forget(room, name);
        try {
            presence(room, "depart", List.of(name));
        } catch (BrokerUnavailable e) {
            // The entry expires within parley.broker.redis.presence-ttl; the leave is announced then.
            LOG.log(System.Logger.Level.DEBUG, () -> "departure from " + room + " left to expire: " + e.getMessage());
        }
    }

    private void forget(String room, String name) {
        synchronized (followed) {
            Set<String> names = present.get(room);
            if (names != null && names.remove(name) && names.isEmpty()) {
                present.remove(room);
            }
        }
    }

    @Override
    public void typing(String room, String name) {
        StatefulConnection<String, String> c = commands;
        if (c == null || !available) {
            return; // ephemeral: not worth an error to anyone
        }
        String channel = new Keys(room).channel();
        // Fire and forget: a typing notice that is lost costs nothing.
        if (c instanceof StatefulRedisClusterConnection<String, String> cc) {
            cc.async().spublish(channel, "t\n" + name);
        } else {
            ((StatefulRedisConnection<String, String>) c).async().publish(channel, "t\n" + name);
        }
    }

    @Override
    public int roomCount() {
        synchronized (followed) {
            return followed.size();
        }
    }

    @Override
    public boolean available() {
        return available && !closed;
    }

    /** This node's id, as it appears in presence entries. */
    public String node() {
        return node;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread d = dispatcher;
        if (d != null) {
            d.interrupt();
            try {
                d.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Withdraw this node's members now rather than after the presence TTL.
        Map<String, Set<String>> names;
        synchronized (followed) {
            names = new HashMap<>(present);
        }
        for (var e : names.entrySet()) {
            try {
                presence(e.getKey(), "depart", List.copyOf(e.getValue()));
            } catch (BrokerUnavailable ignored) {
                break; // they expire within the presence TTL
            }
        }
        closeQuietly(subscription);
        closeQuietly(commands);
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } else {
            clusterClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    // ---- the dispatcher --------------------------------------------------------------------------

    /** The dispatcher's loop: announcements in arrival order, and the periodic checks between them. */
    private void dispatch() {
        long check = config.checkInterval().toNanos();
        long refresh = config.presenceRefresh().toNanos();
        long nextCheck = System.nanoTime() + check;
        long nextRefresh = System.nanoTime() + refresh;
        while (!closed) {
            try {
                Announcement a = inbox.poll(Math.max(0, nextCheck - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (a != null) {
                    handle(a);
                }
                long now = System.nanoTime();
                if (now - nextCheck >= 0) {
                    nextCheck = now + check;
                    check();
                }
                if (now - nextRefresh >= 0) {
                    nextRefresh = now + refresh;
                    refreshPresence();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "broker dispatch: " + e, e);
            }
        }
    }

    private void handle(Announcement a) {
        switch (a) {
            case Announcement.Published p -> deliverInOrder(p.message());
            case Announcement.Presence p -> door.presence(p.room(), p.joined(), p.name(), p.count()).evictions().run();
            case Announcement.Typing t -> door.typing(t.room(), t.name()).evictions().run();
            case Announcement.Probe p -> probesOutstanding.set(0);
        }
    }

    /** Hands a message to the door, after whatever the room missed before it. */
    private void deliverInOrder(Message m) {
        Delivery.Result r = door.deliver(m);
        switch (r.kind()) {
            case GAP -> {
                if (fill(m.room(), m.epoch(), r.last(), m.seq() - 1)) {
                    door.deliver(m).evictions().run();
                }
            }
            case EPOCH -> reset(m.room());
            default -> r.evictions().run();
        }
    }

    /** Delivers {@code last+1 .. to} from the stream; resets the room if the stream no longer holds them. */
    private boolean fill(String room, String epoch, long last, long to) {
        List<Message> missed;
        try {
            missed = range(room, last + 1, to);
        } catch (BrokerUnavailable e) {
            return false; // the next check tries again
        }
        if (missed.isEmpty() || missed.getFirst().seq() != last + 1 || !missed.getFirst().epoch().equals(epoch)) {
            LOG.log(System.Logger.Level.WARNING, "room " + room + ": messages " + (last + 1) + ".." + to
                                                 + " are no longer in Redis; members start the room over");
            reset(room);
            return false;
        }
        metrics.gapFilled(missed.size());
        for (Message m : missed) {
            door.deliver(m).evictions().run();
        }
        return true;
    }

    private void reset(String room) {
        metrics.reset();
        try {
            door.reset(room);
        } catch (IllegalStateException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage());
        }
    }

    /** Periodic: reconnect if needed, probe the subscription, and compare every room's position with Redis'. */
    private void check() {
        if (commands == null || subscription == null) {
            connect();
            return;
        }
        boolean again = resync;
        resync = false;
        if (probesOutstanding.get() >= PROBES_MISSED) {
            LOG.log(System.Logger.Level.WARNING, "the Redis subscription stopped delivering; subscribing again");
            metrics.resubscribed();
            closeQuietly(subscription);
            subscription = null;
            probesOutstanding.set(0);
            connect();
            return;
        }
        try {
            call(() -> {
                if (config.cluster()) {
                    ((StatefulRedisClusterConnection<String, String>) commands).sync().spublish(probeChannel, "probe\n" + node);
                } else {
                    ((StatefulRedisConnection<String, String>) commands).sync().publish(probeChannel, "probe\n" + node);
                }
                return null;
            });
            probesOutstanding.incrementAndGet();
        } catch (BrokerUnavailable e) {
            return;
        }
        List<String> rooms;
        synchronized (followed) {
            rooms = List.copyOf(followed.keySet());
        }
        // One round trip for every room: the dispatcher must not spend the check waiting per room.
        Map<String, List<Object>> positions = pipelined(position, rooms,
                room -> new String[] {new Keys(room).epoch(), new Keys(room).seq()}, room -> new String[0]);
        seen.keySet().retainAll(positions.keySet());
        positions.forEach(this::catchUp);
        if (again) {
            refreshPresence();
        }
    }

    /**
     * Runs {@code script} once per room without waiting in between — Lettuce pipelines them on
     * one connection — then collects the answers; a room whose script failed is left out.
     */
    private Map<String, List<Object>> pipelined(Script script, List<String> rooms,
                                                java.util.function.Function<String, String[]> keys,
                                                java.util.function.Function<String, String[]> args) {
        Map<String, List<Object>> answers = new HashMap<>();
        StatefulConnection<String, String> c = commands;
        if (c == null || rooms.isEmpty()) {
            return answers;
        }
        RedisScriptingAsyncCommands<String, String> async = c instanceof StatefulRedisClusterConnection<String, String> cc
                ? cc.async() : ((StatefulRedisConnection<String, String>) c).async();
        Map<String, RedisFuture<List<Object>>> pending = new HashMap<>();
        for (String room : rooms) {
            pending.put(room, script.runAsync(async, keys.apply(room), args.apply(room)));
        }
        for (var e : pending.entrySet()) {
            try {
                answers.put(e.getKey(), e.getValue().get(config.timeout().toMillis(), TimeUnit.MILLISECONDS));
                available = true;
            } catch (ExecutionException ex) {
                if (ex.getCause() instanceof RedisNoScriptException) {
                    try { // Redis restarted and forgot the script: this loads it again
                        String room = e.getKey();
                        answers.put(room, call(() -> script.run(scripting(), keys.apply(room), args.apply(room))));
                    } catch (BrokerUnavailable ignored) {
                        return answers;
                    }
                } else {
                    markDown(ex.getCause());
                    metrics.error();
                }
            } catch (TimeoutException ex) {
                markDown(ex);
                metrics.error();
                return answers; // the next check tries again
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return answers;
            }
        }
        return answers;
    }

    /**
     * Given the room's position in Redis, delivers what this node has not — but only what Redis
     * already held at the previous check: anything newer may still be on its way through pub/sub,
     * and reading it now would cost a round trip per busy room per check for nothing.
     */
    private void catchUp(String room, List<Object> r) {
        String epoch = (String) r.get(0);
        long head = asLong(r.get(1));
        Position before = seen.put(room, new Position(epoch, head));
        if (epoch.isEmpty()) {
            return; // nothing published yet, or the room expired: the next publish starts an epoch
        }
        long here = door.position(room, epoch);
        if (here == Delivery.NO_POSITION) {
            if (before != null && before.epoch().equals(epoch)) {
                reset(room); // the room here delivers another epoch, one check after Redis began this one
            }
        } else if (here >= 0 && before != null && before.epoch().equals(epoch) && before.head() > here) {
            fill(room, epoch, here, before.head());
        }
    }

    /** A room's epoch and head in Redis, as the last check read them. */
    private record Position(String epoch, long head) {
    }

    private void refreshPresence() {
        Map<String, List<String>> names = new HashMap<>();
        synchronized (followed) {
            present.forEach((room, n) -> names.put(room, List.copyOf(n)));
            followed.keySet().forEach(room -> names.putIfAbsent(room, List.of()));
        }
        // "arrive" refreshes the expiry of entries already there, and expires dead nodes' entries.
        long now = System.currentTimeMillis();
        pipelined(presence, List.copyOf(names.keySet()), room -> presenceKeys(new Keys(room)),
                  room -> presenceArgs(room, "arrive", names.get(room), now));
    }

    private void presence(String room, String op, List<String> names) throws BrokerUnavailable {
        Keys k = new Keys(room);
        String[] args = presenceArgs(room, op, names, System.currentTimeMillis());
        call(() -> presence.run(scripting(), presenceKeys(k), args));
    }

    private static String[] presenceKeys(Keys k) {
        return new String[] {k.presence(), k.names(), k.epoch(), k.seq(), k.log(), k.ids()};
    }

    private String[] presenceArgs(String room, String op, List<String> names, long now) {
        Keys k = new Keys(room);
        List<String> args = new ArrayList<>(6 + names.size());
        args.add(op);
        args.add(Long.toString(now));
        args.add(Long.toString(now + config.presenceTtl().toMillis()));
        args.add(k.channel());
        args.add(config.cluster() ? "1" : "0");
        args.add(Long.toString(historyTtlMillis));
        for (String n : names) {
            args.add(node + "\n" + n);
        }
        return args.toArray(String[]::new);
    }

    // ---- connections -----------------------------------------------------------------------------

    /** Opens what is not open; on the dispatcher (or at start). A failure leaves readiness DOWN until the next check. */
    private synchronized void connect() {
        try {
            if (commands == null) {
                commands = client != null ? client.connect() : clusterClient.connect();
            }
            if (subscription == null) {
                StatefulRedisPubSubConnection<String, String> s;
                if (clusterClient != null) {
                    StatefulRedisClusterPubSubConnection<String, String> cs = clusterClient.connectPubSub();
                    cs.addListener(new RedisClusterPubSubAdapter<>() {
                        @Override
                        public void smessage(RedisClusterNode n, String channel, String message) {
                            received(channel, message);
                        }
                    });
                    s = cs;
                } else {
                    s = client.connectPubSub();
                    s.addListener(new RedisPubSubAdapter<>() {
                        @Override
                        public void message(String channel, String message) {
                            received(channel, message);
                        }
                    });
                }
                subscription = s;
                List<String> rooms;
                synchronized (followed) {
                    rooms = List.copyOf(followed.keySet());
                    subscribeProbe(s);
                    for (int i = 0; i < rooms.size(); i += SUBSCRIBE_BATCH) {
                        issueSubscribe(rooms.subList(i, Math.min(rooms.size(), i + SUBSCRIBE_BATCH)));
                    }
                }
                resync = true;
            }
            available = true;
        } catch (RedisException e) {
            markDown(e);
        }
    }

    private void subscribeProbe(StatefulRedisPubSubConnection<String, String> s) {
        if (config.cluster()) {
            sharded((StatefulRedisClusterPubSubConnection<String, String>) s, true, probeChannel);
        } else {
            s.async().subscribe(probeChannel);
        }
    }

    /** Under {@code followed}: asks for the rooms' channels on the current subscription. */
    private CompletableFuture<Void> issueSubscribe(List<String> rooms) {
        StatefulRedisPubSubConnection<String, String> s = subscription;
        if (s == null || !s.isOpen()) {
            return CompletableFuture.failedFuture(new RedisException("not connected to Redis"));
        }
        String[] channels = rooms.stream().map(r -> new Keys(r).channel()).toArray(String[]::new);
        if (config.cluster()) {
            return sharded((StatefulRedisClusterPubSubConnection<String, String>) s, true, channels);
        }
        return s.async().subscribe(channels).toCompletableFuture();
    }

    /**
     * SSUBSCRIBE (or SUNSUBSCRIBE) each channel on the master that holds its slot: a shard channel
     * is served by its slot's node only. Messages from those node connections reach the cluster
     * listener; each node connection subscribes again by itself after a reconnect, and a slot that
     * moves is caught by the position check until the probe reopens the subscription.
     */
    private static CompletableFuture<Void> sharded(StatefulRedisClusterPubSubConnection<String, String> s,
                                                   boolean subscribe, String... channels) {
        Map<String, List<String>> byNode = new HashMap<>();
        for (String ch : channels) {
            RedisClusterNode owner = s.getPartitions().getPartitionBySlot(SlotHash.getSlot(ch));
            if (owner == null) {
                return CompletableFuture.failedFuture(new RedisException("no Redis Cluster node holds the slot of " + ch));
            }
            byNode.computeIfAbsent(owner.getNodeId(), n -> new ArrayList<>()).add(ch);
        }
        List<CompletableFuture<Void>> all = new ArrayList<>();
        byNode.forEach((nodeId, chs) -> all.add(s.getConnectionAsync(nodeId).thenCompose(c -> {
            String[] a = chs.toArray(String[]::new);
            return (subscribe ? c.async().ssubscribe(a) : c.async().sunsubscribe(a)).toCompletableFuture();
        })));
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** On Lettuce's thread: queue for the dispatcher. */
    private void received(String channel, String payload) {
        if (channel.equals(probeChannel)) {
            inbox.add(new Announcement.Probe());
            return;
        }
        String room = Keys.roomOf(channel);
        Announcement a = room == null ? null : Announcement.parse(room, payload);
        if (a != null) {
            inbox.add(a);
        }
    }

    @SuppressWarnings("unchecked")
    private RedisScriptingCommands<String, String> scripting() {
        StatefulConnection<String, String> c = commands;
        if (c == null) {
            throw new RedisException("not connected to Redis");
        }
        return c instanceof StatefulRedisClusterConnection<String, String> cc ? cc.sync()
                : ((StatefulRedisConnection<String, String>) c).sync();
    }

    private interface RedisCall<T> {
        T run();
    }

    /** Runs a command; a failure marks Redis unavailable and becomes {@link BrokerUnavailable}. */
    private <T> T call(RedisCall<T> command) throws BrokerUnavailable {
        try {
            T result = command.run();
            available = true;
            return result;
        } catch (RedisException e) {
            markDown(e);
            metrics.error();
            throw new BrokerUnavailable("Redis: " + e.getMessage(), e);
        }
    }

    private void markDown(Throwable e) {
        if (available && !closed) {
            LOG.log(System.Logger.Level.WARNING, "Redis at " + config.redactedUrl() + " unavailable: " + e.getMessage());
        }
        available = false;
    }

    private final class StateListener implements RedisConnectionStateListener {
        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, java.net.SocketAddress address) {
            resync = true;
            metrics.reconnected();
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (!closed) {
                markDown(new RedisException("connection lost"));
            }
        }
    }

    // ---- decoding --------------------------------------------------------------------------------

    /** Stream entries ({@code [id, [field, value, …]]}) as messages. */
    private static List<Message> entries(String room, String epoch, Object raw) {
        List<?> list = (List<?>) raw;
        List<Message> out = new ArrayList<>(list.size());
        for (Object o : list) {
            List<?> entry = (List<?>) o;
            long seq = seqOf((String) entry.get(0));
            List<?> fields = (List<?>) entry.get(1);
            String frame = null;
            String key = null;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                switch ((String) fields.get(i)) {
                    case "f" -> frame = (String) fields.get(i + 1);
                    case "k" -> key = (String) fields.get(i + 1);
                    default -> { }
                }
            }
            String from = null;
            String id = null;
            if (key != null) {
                int nl = key.indexOf('\n');
                from = key.substring(0, nl);
                id = key.substring(nl + 1);
            }
            out.add(new Message(room, epoch, seq, from, id, Frame.of(frame)));
        }
        return out;
    }

    private static long seqOf(String entryId) {
        return Long.parseLong(entryId.substring(0, entryId.indexOf('-')));
    }

    private static long asLong(Object o) {
        return o instanceof Long l ? l : Long.parseLong(o.toString());
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object o) {
        return (List<String>) o;
    }

    private static String newEpoch() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    }

    private static void closeQuietly(StatefulConnection<?, ?> c) {
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // closing: nothing left to do with it
            }
        }
    }
}
