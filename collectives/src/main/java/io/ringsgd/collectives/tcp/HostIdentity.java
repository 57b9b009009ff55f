package io.ringsgd.collectives.tcp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which processes may talk through the machine instead of the network: those that run on the same kernel (the same
 * boot id) <em>and</em> in the same network namespace. Network namespaces of one machine share the boot id and the
 * file system, so a Unix-domain socket file is reachable from every one of them; keyed on the boot id alone, ranks on
 * two emulated hosts (or two containers with their own network) would bypass the links between them.
 */
final class HostIdentity {
    private HostIdentity() {
    }

    /**
     * "boot-id/net:[inode]": equal for two processes exactly when they share the kernel and the network namespace;
     * "" where either is unknown (not Linux), which turns the same-machine shortcut off.
     */
    static String key() {
        String boot = read(() -> Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim());
        String net = read(() -> Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString());
        return boot.isEmpty() || net.isEmpty() ? "" : boot + "/" + net;
    }

    private interface Reader {
        String get() throws IOException;
    }

    private static String read(Reader r) {
        try {
            return r.get();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
