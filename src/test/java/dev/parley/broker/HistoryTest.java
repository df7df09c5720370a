package dev.parley.broker;

import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import dev.parley.protocol.Frame;

import static org.assertj.core.api.Assertions.assertThat;

/** The ring against the simplest model there is: a list of everything, of which the tail is kept. */
class HistoryTest {

    sealed interface Op {
        record Append(String from, String id) implements Op {
        }

        record Range(long from, long to) implements Op {
        }

        record Last(int n) implements Op {
        }

        record Find(String from, String id) implements Op {
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<String> names = Arbitraries.of("ann", "bo", "cy");
        Arbitrary<String> ids = Arbitraries.of(null, "a", "b", "c", "d");
        Arbitrary<Op> append = net.jqwik.api.Combinators.combine(names, ids).as(Op.Append::new);
        Arbitrary<Op> range = net.jqwik.api.Combinators.combine(Arbitraries.longs().between(-3, 80),
                                                                Arbitraries.longs().between(-3, 80)).as(Op.Range::new);
        Arbitrary<Op> last = Arbitraries.integers().between(0, 40).map(Op.Last::new);
        Arbitrary<Op> find = net.jqwik.api.Combinators.combine(names, ids.filter(i -> i != null)).as(Op.Find::new);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, append), net.jqwik.api.Tuple.of(2, range),
                net.jqwik.api.Tuple.of(1, last), net.jqwik.api.Tuple.of(1, find)).list().ofMaxSize(150);
    }

    @Property(tries = 500)
    void ringBehavesLikeTheTailOfAList(@ForAll @IntRange(min = 1, max = 20) int capacity,
                                       @ForAll("ops") List<Op> ops) {
        History ring = new History(capacity);
        List<Message> all = new ArrayList<>();
        for (Op op : ops) {
            switch (op) {
                case Op.Append a -> {
                    long seq = all.size() + 1;
                    Message m = new Message("r", "e", seq, a.from(), a.id(), Frame.of("{}"));
                    ring.append(m);
                    all.add(m);
                }
                case Op.Range r -> assertThat(ring.range(r.from(), r.to())).isEqualTo(modelRange(all, capacity, r.from(), r.to()));
                case Op.Last l -> assertThat(ring.last(l.n())).isEqualTo(modelRange(all, capacity, all.size() - l.n() + 1, all.size()));
                case Op.Find f -> assertThat(ring.find(f.from(), f.id())).isEqualTo(modelFind(all, capacity, f.from(), f.id()));
            }
            assertThat(ring.head()).isEqualTo(all.size());
            long oldestHeld = Math.max(1, all.size() - capacity + 1);
            assertThat(ring.oldest()).isEqualTo(oldestHeld);
            assertThat(ring.covers(all.size())).isTrue();
            assertThat(ring.covers(oldestHeld - 1)).isTrue();
            if (oldestHeld >= 2) {
                assertThat(ring.covers(oldestHeld - 2)).isFalse(); // seq oldestHeld-1 is gone
            }
        }
    }

    private static List<Message> modelRange(List<Message> all, int capacity, long from, long to) {
        long oldest = Math.max(1, all.size() - capacity + 1);
        List<Message> out = new ArrayList<>();
        for (Message m : all) {
            if (m.seq() >= Math.max(from, oldest) && m.seq() <= to) {
                out.add(m);
            }
        }
        return out;
    }

    private static Message modelFind(List<Message> all, int capacity, String from, String id) {
        Message found = null;
        for (Message m : all.subList(Math.max(0, all.size() - capacity), all.size())) {
            if (from.equals(m.from()) && id.equals(m.id())) {
                found = m; // the newest acceptance of that id
            }
        }
        return found;
    }
}
