package io.ringsgd.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The hosts of a job and how many ranks each takes (its slots), as {@code mpirun -H} and {@code --hostfile} give
 * them: {@code h0,h1:2} on the command line; in a file one host per line, {@code h1 slots=2} or {@code h1:2}, with
 * {@code #} comments. Ranks fill the first host's slots, then the next's ({@code --map-by slot}).
 */
final class HostList {
    /** One host and its slots. */
    record Host(String name, int slots) {
    }

    /** Where rank r runs: its host and its index and count among the ranks of that host. */
    record Placement(String host, int localRank, int localSize) {
    }

    private final List<Host> hosts;

    private HostList(List<Host> hosts) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("the host list is empty: give at least one host");
        }
        this.hosts = List.copyOf(hosts);
    }

    /** {@code h0,h1:2,h2}; {@code slotsPerHost} (0: as written, else for every host) overrides the counts. */
    static HostList parse(String spec, int slotsPerHost) {
        List<Host> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            if (!part.isBlank()) {
                out.add(host(part.trim(), "--hosts", slotsPerHost));
            }
        }
        return new HostList(out);
    }

    /** An Open MPI style hostfile ({@code host [slots=N]} or {@code host:N} per line, {@code #} comments). */
    static HostList read(Path file, int slotsPerHost) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the hostfile " + file + ": " + e.getMessage());
        }
        List<Host> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceFirst("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + (i + 1) + " of " + file;
            String[] words = line.split("\\s+");
            String spec = words[0];
            for (int w = 1; w < words.length; w++) {
                if (words[w].startsWith("slots=")) {
                    spec = words[0] + ":" + words[w].substring("slots=".length());
                } else if (!words[w].startsWith("max_slots=")) {
                    throw new IllegalArgumentException(where + ": '" + words[w] + "' is not slots=N: write 'host"
                            + " slots=N' or 'host:N'");
                }
            }
            out.add(host(spec, where, slotsPerHost));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the hostfile " + file + " names no host");
        }
        return new HostList(out);
    }

    private static Host host(String spec, String where, int slotsPerHost) {
        int colon = spec.lastIndexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        int slots = 1;
        if (colon >= 0) {
            try {
                slots = Integer.parseInt(spec.substring(colon + 1));
            } catch (NumberFormatException e) {
                slots = -1;
            }
        }
        if (slotsPerHost > 0) {
            slots = slotsPerHost;
        }
        if (name.isEmpty() || !name.matches("[A-Za-z0-9._\\-\\[\\]:]+")) {
            throw new IllegalArgumentException(where + ": '" + name + "' is not a host name");
        }
        if (slots < 1) {
            throw new IllegalArgumentException(where + ": host '" + spec + "' must have at least 1 slot (host:N)");
        }
        return new Host(name, slots);
    }

    List<Host> hosts() {
        return hosts;
    }

    /** Sum of the slots. */
    int slots() {
        return hosts.stream().mapToInt(Host::slots).sum();
    }

    /** Where each of {@code np} ranks runs; refuses more ranks than slots. */
    List<Placement> place(int np) {
        if (np > slots()) {
            throw new IllegalArgumentException("-np " + np + " but the hosts give " + slots() + " slots: add hosts,"
                    + " raise their slots (host:N, --slots-per-host) or lower -np");
        }
        List<Placement> out = new ArrayList<>();
        for (Host h : hosts) {
            int here = Math.min(h.slots(), np - out.size());
            for (int l = 0; l < here; l++) {
                out.add(new Placement(h.name(), l, here));
            }
        }
        return out;
    }
}
