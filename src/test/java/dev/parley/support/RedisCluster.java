package dev.parley.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis Cluster on loopback: three {@code redis-server --cluster-enabled yes} masters
 * joined by {@code redis-cli --cluster create}, no replicas.
 */
public final class RedisCluster implements AutoCloseable {
    private final List<RedisServer> masters;

    private RedisCluster(List<RedisServer> masters) {
        this.masters = masters;
    }

    public static RedisCluster start() {
        List<RedisServer> masters = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                masters.add(RedisServer.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                              "--cluster-node-timeout", "5000"));
            }
            List<String> cmd = new ArrayList<>(List.of(RedisServer.require("redis-cli").toString(), "--cluster", "create"));
            masters.forEach(m -> cmd.add("127.0.0.1:" + m.port()));
            cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            String out = RedisServer.run(cmd);
            if (!out.contains("[OK] All 16384 slots covered")) {
                throw new AssertionError("redis-cli --cluster create failed:\n" + out);
            }
            for (RedisServer m : masters) {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .alias("cluster_state:ok on port " + m.port())
                        .until(() -> m.cli("CLUSTER", "INFO").contains("cluster_state:ok"));
            }
            return new RedisCluster(masters);
        } catch (RuntimeException | AssertionError e) {
            masters.forEach(RedisServer::close);
            throw e;
        }
    }

    /** A URL for any one master; the client discovers the others. */
    public String url() {
        return masters.getFirst().url();
    }

    /** Which master (0, 1 or 2) holds the slot of {@code key}. */
    public int masterOf(String key) {
        int slot = Integer.parseInt(masters.getFirst().cli("CLUSTER", "KEYSLOT", key).trim());
        for (int i = 0; i < masters.size(); i++) {
            String id = masters.get(i).cli("CLUSTER", "MYID").trim();
            for (String line : masters.getFirst().cli("CLUSTER", "NODES").split("\n")) {
                if (line.startsWith(id)) {
                    String[] f = line.trim().split(" ");
                    for (int j = 8; j < f.length; j++) {
                        String[] range = f[j].split("-");
                        int lo = Integer.parseInt(range[0]);
                        int hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
                        if (slot >= lo && slot <= hi) {
                            return i;
                        }
                    }
                }
            }
        }
        throw new AssertionError("no master holds slot " + slot);
    }

    @Override
    public void close() {
        masters.forEach(RedisServer::close);
    }
}
