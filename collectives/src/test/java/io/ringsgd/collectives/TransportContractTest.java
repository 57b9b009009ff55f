package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.emulation.EmulatedTransport;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.collectives.engine.TransportCommunicator;
import io.ringsgd.collectives.testing.TcpGroup;
import io.ringsgd.collectives.transport.Header;
import io.ringsgd.collectives.transport.Message;
import io.ringsgd.collectives.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The transport contract every transport keeps: {@link Transport#awaitAny} (MPI_Waitany) in particular. */
class TransportContractTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(3)).build();

    private static List<Object> run(String transport, int p, Function<Transport, Object> body) {
        Function<Communicator, Object> onTransport = c -> {
            Transport t = ((TransportCommunicator) c).transport();
            if (transport.equals("emulated")) {
                t = new EmulatedTransport(t, LinkModel.parse("50us", "10gbit"));
            }
            try {
                return body.apply(t);
            } catch (RuntimeException e) {
                return e;
            }
        };
        return transport.equals("tcp") ? TcpGroup.runCatching(p, CFG, onTransport)
                : LocalRun.runCatching(p, CFG, onTransport);
    }

    /**
     * Rank 0 waits for a receive from rank 1 and one from rank 2; rank 2 sends first, rank 1 only once rank 0 has
     * seen rank 2's: awaitAny returns the index of the one that completed, skips nulls, and refuses an all-null set.
     */
    @ParameterizedTest
    @ValueSource(strings = {"local", "tcp", "emulated"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void awaitAnyReturnsTheMessageThatCompleted(String transport) {
        CountDownLatch sawRank2 = new CountDownLatch(1);
        List<Object> out = run(transport, 3, t -> {
            Header h = new Header().set(CollectiveKind.EXTERNAL, 0, ElementType.FLOAT, 1, null, Header.NO_ROOT,
                    Algorithm.AUTO);
            float[] v = {t.rank() + 10};
            if (t.rank() == 0) {
                float[] from1 = new float[1];
                float[] from2 = new float[1];
                Message[] ms = {new Message().recv(1, h, ElementBuffer.of(from1), 0, 1), null,
                    new Message().recv(2, h, ElementBuffer.of(from2), 0, 1)};
                t.post(ms[0]);
                t.post(ms[2]);
                int first = t.awaitAny(ms, 3);
                float second2 = from2[0];
                sawRank2.countDown();
                ms[2] = null;
                int second = t.awaitAny(ms, 3);
                assertThatThrownBy(() -> t.awaitAny(new Message[] {null, null}, 2))
                        .isInstanceOf(IllegalArgumentException.class);
                return first + "," + second2 + "," + second + "," + from1[0];
            }
            if (t.rank() == 1) {
                FailureTest.await(sawRank2);
            }
            Message s = new Message().send(0, h, ElementBuffer.of(v), 0, 1);
            t.post(s);
            t.await(s);
            return "sent";
        });
        assertThat(out).containsExactly("2,12.0,0,11.0", "sent", "sent");
    }

    /** A peer that leaves while another rank waits on it in awaitAny gives that rank an error naming it. */
    @ParameterizedTest
    @ValueSource(strings = {"local", "tcp", "emulated"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void awaitAnyNamesAPeerThatLeft(String transport) {
        List<Object> out = run(transport, 2, t -> {
            if (t.rank() == 1) {
                t.close();
                return "left";
            }
            Header h = new Header().set(CollectiveKind.EXTERNAL, 0, ElementType.FLOAT, 1, null, Header.NO_ROOT,
                    Algorithm.AUTO);
            Message[] ms = {new Message().recv(1, h, ElementBuffer.of(new float[1]), 0, 1)};
            t.post(ms[0]);
            return t.awaitAny(ms, 1);
        });
        assertThat(out.get(1)).isEqualTo("left");
        assertThat(out.get(0)).isInstanceOf(PeerFailureException.class);
        assertThat(((PeerFailureException) out.get(0)).rank()).isEqualTo(1);
    }
}
