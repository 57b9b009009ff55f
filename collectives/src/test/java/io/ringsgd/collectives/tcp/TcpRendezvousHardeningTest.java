package io.ringsgd.collectives.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.engine.TransportCommunicator;
import io.ringsgd.collectives.testing.TcpGroup;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;

/**
 * The rendezvous under abuse and after crashes: idle connections cannot make it start a thread each, refusals do not
 * flood the log, a loopback job listens on loopback only, socket directories of dead ranks are removed, and I/O
 * failures without a message still get a sentence.
 */
class TcpRendezvousHardeningTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void fiveHundredIdleConnectionsHoldABoundedNumberOfThreadsAndTheJobGoesOn() throws Exception {
        TcpRendezvous rv = TcpRendezvous.open(TcpGroup.options(0, 2, 0, "s").build());
        CompletableFuture<float[]> r0 = CompletableFuture.supplyAsync(() -> {
            try (Communicator c = new TransportCommunicator(rv.connect(TcpSecurityTest.CFG), TcpSecurityTest.CFG)) {
                float[] v = {1};
                c.allreduce(v, ReduceOp.SUM);
                return v;
            }
        });
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 500; i++) {
                idle.add(new Socket("127.0.0.1", rv.port()));
            }
            int limit = TcpRendezvous.MAX_PENDING_HANDSHAKES + 4 * 2;
            long t0 = System.nanoTime();
            // The acceptor works through the backlog; at no point may it hold more handshake threads than the cap.
            while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2)) {
                assertThat(handshakeThreads()).isLessThanOrEqualTo(limit);
                Thread.sleep(20);
            }
            TcpRendezvous rv1 = TcpRendezvous.open(TcpGroup.options(1, 2, rv.port(), "s").build());
            CompletableFuture<float[]> r1 = CompletableFuture.supplyAsync(() -> {
                try (Communicator c = new TransportCommunicator(rv1.connect(TcpSecurityTest.CFG),
                        TcpSecurityTest.CFG)) {
                    float[] v = {2};
                    c.allreduce(v, ReduceOp.SUM);
                    return v;
                }
            });
            // The idle connections are dropped by the handshake watchdog (10 s), freeing room for the real rank.
            assertThat(r1.get(45, TimeUnit.SECONDS)).containsExactly(3);
            assertThat(r0.get(5, TimeUnit.SECONDS)).containsExactly(3);
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    private static long handshakeThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("ringsgd-handshake-r0")).count();
    }

    @Test
    void refusalsAreLoggedAtMostTenPerWindowAndTheRestCounted() {
        CountingLogger logger = new CountingLogger();
        RefusalLog refusals = new RefusalLog(logger);
        for (int i = 0; i < 2000; i++) {
            refusals.warn("refused {}", i);
        }
        assertThat(logger.count).isEqualTo(RefusalLog.BURST);
        assertThat(refusals.suppressed()).isEqualTo(2000 - RefusalLog.BURST);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aJobWhoseMasterIsLoopbackListensOnLoopbackOnly() {
        TcpRendezvous r0 = TcpRendezvous.open(TcpGroup.options(0, 2, 0, "s").build());
        TcpRendezvous r1 = TcpRendezvous.open(TcpGroup.options(1, 2, r0.port(), "s").build());
        try {
            assertThat(r0.listenAddress().getAddress().isLoopbackAddress()).isTrue();
            assertThat(r1.listenAddress().getAddress().isLoopbackAddress()).isTrue();
        } finally {
            r0.close();
            r1.close();
        }
    }

    @Test
    void socketDirectoriesOfDeadOwnersAreRemovedAndLiveOnesKept(@TempDir Path tmp) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path dead = Files.createDirectory(tmp.resolve(SocketDirectories.PREFIX + "dead"));
        Files.writeString(dead.resolve(SocketDirectories.OWNER), Long.toString(gone.pid()));
        Files.createFile(dead.resolve("r3.sock"));
        Path live = Files.createDirectory(tmp.resolve(SocketDirectories.PREFIX + "live"));
        Files.writeString(live.resolve(SocketDirectories.OWNER), Long.toString(ProcessHandle.current().pid()));
        Path other = Files.createDirectory(tmp.resolve("someone-else"));
        assertThat(SocketDirectories.cleanStale(tmp)).isEqualTo(1);
        assertThat(dead).doesNotExist();
        assertThat(live).exists();
        assertThat(other).exists();
    }

    @Test
    void ioFailuresWithoutAMessageGetASentence() {
        assertThat(TcpRendezvous.reason(new EOFException())).isEqualTo("the other side closed the connection in the"
                + " middle of the rendezvous (did it exit? see its output)");
        assertThat(TcpRendezvous.reason(new ClosedChannelException())).contains("the connection was closed");
        assertThat(TcpRendezvous.reason(new IOException((String) null))).isEqualTo("IOException");
    }

    /** A logger that counts the warnings it is given. */
    private static final class CountingLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        int count;

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String msg, Object[] args,
                Throwable t) {
            count++;
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
