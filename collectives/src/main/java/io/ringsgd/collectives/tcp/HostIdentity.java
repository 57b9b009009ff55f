package io.ringsgd.collectives.tcp;

import io.ringsgd.collectives.HostKey;

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
        return HostKey.kernelAndNetwork();
    }
}
