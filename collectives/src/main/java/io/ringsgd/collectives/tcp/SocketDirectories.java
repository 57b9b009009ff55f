package io.ringsgd.collectives.tcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private directories ({@code $TMPDIR/ringsgd-*}, mode 0700) that hold the ranks' Unix-domain socket files, and
 * those ({@code /dev/shm/ringsgd-*}) that hold shared-memory segments while the peers map them ({@link ShmLink}). Each
 * names its owner in a {@value #OWNER} file; a rank killed before it could remove its directory leaves it behind, and
 * the next rank that makes one removes those whose owner is gone.
 */
final class SocketDirectories {
    private static final Logger log = LoggerFactory.getLogger(SocketDirectories.class);
    static final String PREFIX = "ringsgd-";
    static final String OWNER = "owner.pid";
    /** Directories from versions without an owner file are removed once this old. */
    private static final Duration LEGACY_AGE = Duration.ofHours(1);

    private SocketDirectories() {
    }

    /** A new private directory owned by this process in the temporary directory. */
    static Path create() throws IOException {
        return create(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * Where shared-memory segments go: {@code /dev/shm} (memory, never written back to a disk) where it is a
     * writable directory, else the temporary directory.
     */
    static Path sharedMemoryBase() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** A new private directory owned by this process under {@code base}, after removing those of dead owners. */
    static Path create(Path base) throws IOException {
        cleanStale(base);
        Path dir = Files.createTempDirectory(base, PREFIX,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path owner = dir.resolve(OWNER);
        Files.writeString(owner, Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
        // Normally deleted once the group is connected; these cover an exit in between (files are removed in reverse
        // order of registration: the owner file, then the directory).
        dir.toFile().deleteOnExit();
        owner.toFile().deleteOnExit();
        return dir;
    }

    /** Removes the socket directories under {@code tmp} whose owner process is gone; returns how many. */
    static int cleanStale(Path tmp) {
        int removed = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path d : dirs) {
                if (Files.isDirectory(d) && Files.isWritable(d) && isStale(d)) {
                    removed += deleteTree(d) ? 1 : 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("could not look for stale socket directories in {}: {}", tmp, e.toString());
        }
        if (removed > 0) {
            log.debug("removed {} socket directories of ranks that are gone", removed);
        }
        return removed;
    }

    private static boolean isStale(Path d) throws IOException {
        Path owner = d.resolve(OWNER);
        if (Files.isRegularFile(owner)) {
            try {
                long pid = Long.parseLong(Files.readString(owner, StandardCharsets.US_ASCII).trim());
                return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        boolean sockets;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
            sockets = true;
            for (Path f : files) {
                sockets &= f.getFileName().toString().matches("r\\d+\\.sock|r\\d+-r\\d+\\.shm");
            }
        }
        FileTime modified = Files.getLastModifiedTime(d);
        return sockets && modified.toInstant().isBefore(Instant.now().minus(LEGACY_AGE));
    }

    private static boolean deleteTree(Path d) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(d);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
