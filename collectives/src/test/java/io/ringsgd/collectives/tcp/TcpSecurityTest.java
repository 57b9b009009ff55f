package io.ringsgd.collectives.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.PeerFailureException;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.engine.TransportCommunicator;
import io.ringsgd.collectives.testing.TcpGroup;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connections that do not prove the job secret, random bytes, truncated hellos and malformed frames: refused or
 * failed cleanly, naming the peer; a refused connection does not stop the job.
 */
class TcpSecurityTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(10)).build();

    private static CompletableFuture<float[]> rank0(TcpRendezvous rv) {
        return CompletableFuture.supplyAsync(() -> {
            try (Communicator c = new TransportCommunicator(rv.connect(CFG), CFG)) {
                float[] v = {1, 2, 3};
                c.allreduce(v, ReduceOp.SUM);
                return v;
            }
        });
    }

    private static float[] rank1(int port, String secret) {
        TcpRendezvous rv = TcpRendezvous.open(TcpGroup.options(1, 2, port, secret).build());
        try (Communicator c = new TransportCommunicator(rv.connect(CFG), CFG)) {
            float[] v = {10, 20, 30};
            c.allreduce(v, ReduceOp.SUM);
            return v;
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void wrongSecretIsRefusedAndTheJobGoesOn() throws Exception {
        TcpRendezvous rv = TcpRendezvous.open(TcpGroup.options(0, 2, 0, "right").build());
        CompletableFuture<float[]> r0 = rank0(rv);
        TcpOptions impostor = TcpGroup.options(1, 2, rv.port(), "wrong").setupTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> TcpRendezvous.open(impostor).connect(CFG))
                .isInstanceOf(CollectiveException.class)
                .hasMessageContaining("does not know the job secret");
        assertThat(rank1(rv.port(), "right")).containsExactly(11, 22, 33);
        assertThat(r0.get(30, TimeUnit.SECONDS)).containsExactly(11, 22, 33);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void randomBytesAndTruncatedHellosAreRefusedAndTheJobGoesOn() throws Exception {
        TcpRendezvous rv = TcpRendezvous.open(TcpGroup.options(0, 2, 0, "s").build());
        CompletableFuture<float[]> r0 = rank0(rv);
        byte[] junk = new byte[64 << 10];
        new Random(3).nextBytes(junk);
        try (Socket s = new Socket("127.0.0.1", rv.port())) {
            OutputStream out = s.getOutputStream();
            out.write(junk);
            out.flush();
            // The rank answers its challenge, reads our garbage, refuses and closes: we see EOF, not a hang.
            s.setSoTimeout(10_000);
            byte[] buf = new byte[4096];
            while (s.getInputStream().read(buf) >= 0) {
                // drain until the rank closes
            }
        } catch (java.net.SocketException reset) {
            // a reset is as good as a close
        }
        try (Socket s = new Socket("127.0.0.1", rv.port())) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(Frames.HANDSHAKE_MAGIC);
            out.flush();
        }
        try (Socket s = new Socket("127.0.0.1", rv.port())) {
            s.getOutputStream().write(new byte[] {0x52, 0x53});
        }
        assertThat(rank1(rv.port(), "s")).containsExactly(11, 22, 33);
        assertThat(r0.get(30, TimeUnit.SECONDS)).containsExactly(11, 22, 33);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMalformedFrameFailsTheCollectiveNamingTheSender() throws Exception {
        TcpRendezvous rv = TcpRendezvous.open(TcpGroup.options(0, 2, 0, "s").build());
        CompletableFuture<Object> r0 = CompletableFuture.supplyAsync(() -> {
            try (Communicator c = new TransportCommunicator(rv.connect(CFG), CFG)) {
                c.allreduce(new float[16], ReduceOp.SUM);
                return "completed";
            } catch (RuntimeException e) {
                return e;
            }
        });
        // A fake rank 1 that knows the secret, joins properly, then sends garbage instead of a frame.
        byte[] secret = "s".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (SocketChannel reg = SocketChannel.open(new InetSocketAddress("127.0.0.1", rv.port()))) {
            DataInputStream in = new DataInputStream(Channels.newInputStream(reg));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(reg)));
            Handshake.connect(in, out, secret, Handshake.REGISTER, 1, 2);
            out.writeUTF("127.0.0.1");
            out.writeInt(1);
            out.writeUTF(""); // no boot id, no Unix-domain socket: reach me over TCP
            out.writeUTF("");
            out.writeBoolean(false); // no shared memory
            out.flush();
            assertThat(in.readInt()).isEqualTo(2);
        }
        SocketChannel data = SocketChannel.open(new InetSocketAddress("127.0.0.1", rv.port()));
        SocketChannel control = SocketChannel.open(new InetSocketAddress("127.0.0.1", rv.port()));
        try {
            Handshake.connect(new DataInputStream(Channels.newInputStream(data)),
                    new DataOutputStream(Channels.newOutputStream(data)), secret, Handshake.DATA, 1, 2);
            Handshake.connect(new DataInputStream(Channels.newInputStream(control)),
                    new DataOutputStream(Channels.newOutputStream(control)), secret, Handshake.CONTROL, 1, 2);
            byte[] garbage = new byte[Frames.DATA_HEADER_BYTES + 64];
            new Random(5).nextBytes(garbage);
            data.write(java.nio.ByteBuffer.wrap(garbage));
            Object result = r0.get(30, TimeUnit.SECONDS);
            assertThat(result).isInstanceOf(PeerFailureException.class);
            assertThat(((PeerFailureException) result).rank()).isEqualTo(1);
            assertThat(((Exception) result).getMessage()).contains("malformed frame");
        } finally {
            data.close();
            control.close();
        }
    }
}
