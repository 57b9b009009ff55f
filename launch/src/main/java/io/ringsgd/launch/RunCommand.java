package io.ringsgd.launch;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ringsgd run -np N -- <sub-command>}: N local ranks over TCP, like {@code mpirun -np N} or torchrun. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Start N ranks of a ringsgd sub-command as local processes over TCP (like mpirun -np N /"
                + " torchrun). Each gets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT and a job secret; output lines"
                + " are prefixed with the rank; if a rank fails, the others are stopped and its status returned.",
        footer = {"", "Example: ringsgd run -np 4 -- train --transport tcp --trainer pipe --width 2 --epochs 1"})
final class RunCommand implements Callable<Integer> {

    @Option(names = {"-np", "--np"}, required = true, description = "Number of ranks.")
    int np;

    @Option(names = "--master-addr", defaultValue = "127.0.0.1", description = "Address of rank 0 (default:"
            + " ${DEFAULT-VALUE}).")
    String masterAddr;

    @Option(names = "--master-port", defaultValue = "0", description = "Port of rank 0 (default: a free port).")
    int masterPort;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The ringsgd sub-command and its options.")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        return new LocalLauncher(np, masterAddr, masterPort, true, Map.of()).launch(command, System.out,
                System.err);
    }
}
