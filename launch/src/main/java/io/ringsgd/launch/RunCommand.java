package io.ringsgd.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ringsgd run}: the ranks of a job as processes, on this machine ({@code -np N}, like torchrun) or on the slots
 * of a host list through a remote shell ({@code --hosts}/{@code --hostfile}, like mpirun).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Start the ranks of a ringsgd sub-command as processes over TCP: on this machine (-np N, like"
                + " torchrun) or on the slots of a host list through ssh or another remote shell (--hosts,"
                + " --hostfile, like mpirun). Each rank gets RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,"
                + " MASTER_ADDR and MASTER_PORT, and a fresh job secret on its standard input; output lines are"
                + " prefixed with the rank; if a rank fails the others are stopped and its status returned; if the"
                + " launcher dies, the ranks stop.",
            "Remote ranks run the same java, JVM options and class path as the launcher, in the same working"
                + " directory where it exists: the hosts must share the installation (as with mpirun). RINGSGD_*"
                + " variables are passed on (-x NAME passes others)."},
        footer = {"", "Examples:",
            "  ringsgd run -np 4 -- train --trainer pipe --width 2 --epochs 1",
            "  ringsgd run --hostfile hosts --slots-per-host 2 -- bench allreduce --bytes 4m",
            "  ringsgd run --hosts h0,h1,h2,h3 --rsh 'benchmarks/bin/netcluster rsh c1' -- bench allreduce"})
final class RunCommand implements Callable<Integer> {

    @Option(names = {"-np", "--np", "-n"}, description = "Number of ranks (default: every slot of the hosts; required"
            + " without hosts).")
    Integer np;

    @Option(names = {"--hosts", "-H"}, paramLabel = "HOST[:SLOTS],...", description = "Hosts to run on, with their"
            + " slots (default 1 each); ranks fill the first host's slots first.")
    String hosts;

    @Option(names = "--hostfile", paramLabel = "FILE", description = "A file of hosts, one per line: 'host"
            + " slots=N' or 'host:N' ('#' starts a comment).")
    Path hostfile;

    @Option(names = "--slots-per-host", paramLabel = "S", defaultValue = "0", description = "Slots of every host,"
            + " overriding the host list's.")
    int slotsPerHost;

    @Option(names = "--rsh", paramLabel = "COMMAND", description = "Remote shell, given HOST and the words to run"
            + " there (default: RINGSGD_RSH or ssh). Split at spaces.")
    String rsh;

    @Option(names = "-x", paramLabel = "NAME", description = "Pass this environment variable on to remote ranks"
            + " (repeatable; RINGSGD_* are passed anyway).")
    List<String> forward = new ArrayList<>();

    @Option(names = "--master-addr", description = "Address of rank 0 as the others reach it (default: the first"
            + " host, or 127.0.0.1 without hosts).")
    String masterAddr;

    @Option(names = "--master-port", defaultValue = "0", description = "Port of rank 0 (default: rank 0 picks a free"
            + " one and the launcher tells the others).")
    int masterPort;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The ringsgd sub-command and its options.")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        if (hosts != null && hostfile != null) {
            throw new IllegalArgumentException("give --hosts or --hostfile, not both");
        }
        if (slotsPerHost < 0) {
            throw new IllegalArgumentException("--slots-per-host must be at least 1, got " + slotsPerHost);
        }
        HostList list = hosts != null ? HostList.parse(hosts, slotsPerHost)
                : hostfile != null ? HostList.read(hostfile, slotsPerHost) : null;
        if (list == null && np == null) {
            throw new IllegalArgumentException("give the number of ranks (-np N), or hosts to run on (--hosts,"
                    + " --hostfile)");
        }
        if (list == null && slotsPerHost > 0) {
            throw new IllegalArgumentException("--slots-per-host needs --hosts or --hostfile");
        }
        int n = np != null ? np : list.slots();
        String shell = rsh != null ? rsh : System.getenv().getOrDefault("RINGSGD_RSH", "ssh");
        Launcher.Builder b = Launcher.builder(n).hosts(list).rsh(List.of(shell.trim().split("\\s+")))
                .masterAddr(masterAddr).masterPort(masterPort).forwardEnv(forward);
        return b.build().launch(command, System.out, System.err);
    }
}
