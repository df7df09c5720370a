package dev.parley.scale;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.RedisCluster;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two Parley nodes on a real three-master Redis Cluster, with sharded pub/sub. */
class RedisClusterTest {
    /** Room names whose slots fall on every master (checked below). */
    private static final List<String> ROOMS = List.of("alpha", "bravo", "charlie", "delta", "echo", "foxtrot");

    private RedisCluster cluster;
    private ParleyServer a;
    private ParleyServer b;
    private final List<ChatClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        cluster = RedisCluster.start();
        a = Nodes.start(cluster.url(), "parley.broker.redis.cluster", "true");
        b = Nodes.start(cluster.url(), "parley.broker.redis.cluster", "true");
    }

    @AfterEach
    void stop() {
        clients.forEach(ChatClient::abort);
        if (a != null) {
            a.stop();
        }
        if (b != null) {
            b.stop();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void roomsOnEveryMasterChatAcrossNodesAndResume() {
        Set<Integer> masters = new HashSet<>();
        for (String room : ROOMS) {
            masters.add(cluster.masterOf("parley:{" + room + "}:seq"));
        }
        assertThat(masters).as("the rooms' slots are spread over the masters").hasSize(3);

        for (String room : ROOMS) {
            ChatClient onA = ChatClient.joined(TestServer.ws(a), room, "ann");
            ChatClient onB = ChatClient.joined(TestServer.ws(b), room, "ben");
            clients.add(onA);
            clients.add(onB);
            onA.next(n -> "ben".equals(n.path("name").asText()), "ben's arrival in " + room);
            for (int i = 1; i <= 3; i++) {
                Nodes.sendUntilAcked(onA, room, room + " " + i, room + "-" + i);
            }
            await().atMost(ChatClient.WAIT).until(() -> onB.messages(room).size() == 3);
            assertThat(onB.messages(room)).extracting(m -> m.path("seq").asLong()).containsExactly(1L, 2L, 3L);

            // ben drops and comes back on the other node: exactly what he missed.
            String epoch = onB.all("joined").getFirst().path("epoch").asText();
            onB.abort();
            Nodes.sendUntilAcked(onA, room, room + " missed", room + "-4");
            ChatClient back = ChatClient.open(TestServer.ws(a));
            clients.add(back);
            back.send(ChatClient.obj("type", "join", "room", room, "name", "ben", "epoch", epoch, "since", 3));
            JsonNode joined = back.next("joined");
            assertThat(joined.path("recovered").asBoolean()).isTrue();
            back.next(n -> (room + " missed").equals(n.path("text").asText()), "the missed message");
            assertThat(back.messages(room)).extracting(m -> m.path("seq").asLong()).containsExactly(4L);
        }
    }
}
