package io.ringsgd.collectives.tcp;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of the rendezvous for ranks of one machine: over each pair's data connection, which has already
 * proved the job secret, the lower rank offers a shared-memory link ({@link ShmLink}) and the higher rank maps it or
 * declines; every file is unlinked as soon as its peer answered, and the rank's private directory with them. A
 * process without the secret never gets a connection that reaches this point, so it never learns a segment name; and
 * the directory is 0700. A pair that cannot share memory (no space, another mount of {@code /dev/shm}, another user)
 * keeps its data connection.
 *
 * <pre>
 * lower → higher: byte 1 | UTF path | int ring capacity | 16-byte cookie      (or byte 0: no offer)
 * higher → lower: byte 1 mapped | byte 0 declined
 * </pre>
 * Every lower rank sends all its offers before it reads any, and answers come after the offers a rank received, so
 * the exchange cannot deadlock; the whole of it is bounded by the setup deadline (the connections are closed at it).
 */
final class ShmSetup {
    private static final Logger log = LoggerFactory.getLogger(ShmSetup.class);

    private ShmSetup() {
    }

    /** This rank's links by peer (null where the data connection carries the data). */
    static ShmLink[] link(int rank, int size, SocketChannel[] data, boolean[] same, TcpOptions options,
            long deadline, ScheduledExecutorService watchdog) throws IOException {
        ShmLink[] links = new ShmLink[size];
        boolean any = false;
        for (boolean b : same) {
            any |= b;
        }
        if (!any) {
            return links;
        }
        List<SocketChannel> involved = new ArrayList<>();
        for (int j = 0; j < size; j++) {
            if (same[j]) {
                involved.add(data[j]);
            }
        }
        ScheduledFuture<?> kill = watchdog.schedule(() -> involved.forEach(TcpRendezvous::closeQuietly),
                Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
        Path dir = null;
        ShmLink.Offer[] offers = new ShmLink.Offer[size];
        try {
            int capacity = ShmLink.ringCapacity(options.shmRingBytes());
            for (int j = rank + 1; j < size; j++) {
                if (!same[j]) {
                    continue;
                }
                DataOutputStream out = new DataOutputStream(Channels.newOutputStream(data[j]));
                try {
                    if (dir == null) {
                        dir = SocketDirectories.create(SocketDirectories.sharedMemoryBase());
                    }
                    offers[j] = ShmLink.create(dir, rank, j, capacity);
                } catch (IOException | RuntimeException e) {
                    log.warn("rank {} cannot create a shared-memory segment for rank {} ({}); their data goes"
                            + " through a socket", rank, j, e.toString());
                }
                if (offers[j] == null) {
                    out.writeByte(0);
                } else {
                    out.writeByte(1);
                    out.writeUTF(offers[j].file().toString());
                    out.writeInt(offers[j].capacity());
                    out.write(offers[j].cookie());
                }
                out.flush();
            }
            for (int i = 0; i < rank; i++) {
                if (!same[i]) {
                    continue;
                }
                DataInputStream in = new DataInputStream(Channels.newInputStream(data[i]));
                DataOutputStream out = new DataOutputStream(Channels.newOutputStream(data[i]));
                if (in.readByte() == 0) {
                    continue;
                }
                String file = in.readUTF();
                int cap = in.readInt();
                byte[] cookie = new byte[16];
                in.readFully(cookie);
                try {
                    Path f = Path.of(file);
                    if (cap != ShmLink.ringCapacity(cap) || f.getParent() == null
                            || !f.getParent().getFileName().toString().startsWith(SocketDirectories.PREFIX)
                            || !f.getFileName().toString().equals("r" + i + "-r" + rank + ".shm")) {
                        throw new IOException("refusing segment " + file + " of ring capacity " + cap);
                    }
                    links[i] = ShmLink.open(f, cookie, cap);
                } catch (IOException | RuntimeException e) {
                    log.warn("rank {} cannot map rank {}'s shared-memory segment ({}); their data goes through a"
                            + " socket", rank, i, e.toString());
                }
                out.writeByte(links[i] != null ? 1 : 0);
                out.flush();
            }
            for (int j = rank + 1; j < size; j++) {
                if (offers[j] == null) {
                    continue;
                }
                DataInputStream in = new DataInputStream(Channels.newInputStream(data[j]));
                boolean mapped = in.readByte() == 1;
                Files.deleteIfExists(offers[j].file());
                if (mapped) {
                    links[j] = offers[j].link();
                }
            }
            return links;
        } finally {
            kill.cancel(false);
            for (ShmLink.Offer o : offers) {
                if (o != null) {
                    deleteQuietly(o.file());
                }
            }
            if (dir != null) {
                deleteQuietly(dir.resolve(SocketDirectories.OWNER));
                deleteQuietly(dir);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a stale directory is removed by the next job on this machine (its owner is gone)
        }
    }
}
