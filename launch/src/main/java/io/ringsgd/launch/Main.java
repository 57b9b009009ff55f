package io.ringsgd.launch;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.pipesgd.checkpoint.CheckpointException;
import io.ringsgd.pipesgd.data.DataFileException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ringsgd} command line: {@code train}, {@code bench}, {@code plan}, {@code run}, {@code experiment},
 * {@code gpu-check}. Errors a user can fix (bad options, bad checkpoint or data files) print one line and exit with
 * status 2; a failed collective (a dead,
 * stalled or disagreeing rank) prints its message and exits with status 3.
 */
@Command(name = "ringsgd", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Distributed data-parallel training on the JVM: MPI-style collectives (ring, recursive"
                + " doubling, Rabenseifner, tree AllReduce) and the Pipe-SGD and CoCoD-SGD trainers.",
        subcommands = {TrainCommand.class, BenchCommand.class, PlanCommand.class, RunCommand.class, GpuCheckCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit status of a usage or configuration error. */
    public static final int USAGE = 2;
    /** Exit status of a failed collective. */
    public static final int COLLECTIVE_FAILED = 3;

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        // A rank started by 'ringsgd run' reads its secret from the launcher and stops when the launcher is gone.
        LaunchControl.start(System.getenv(), System.in, System.err);
        if (MpjBridge.isMpjLaunch(args)) {
            // Started by mpjrun: in multicore mode every rank is a thread of one JVM, so a rank must not call
            // System.exit on success (that would end the other ranks); a failure ends the job, as MPI_Abort does.
            String[] own;
            try {
                own = MpjBridge.init(args);
            } catch (IllegalArgumentException e) {
                System.err.println("ringsgd: " + e.getMessage());
                System.exit(2);
                return;
            }
            int status = execute(own);
            if (status != 0) {
                // Skip MPI.Finalize: with a dead or stalled peer it would wait forever.
                System.exit(status);
            }
            MpjBridge.finish();
            return;
        }
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit status (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        Logging.configure();
        CommandLine cl = new CommandLine(new Main());
        for (SubcommandProvider p : java.util.ServiceLoader.load(SubcommandProvider.class)) {
            cl.addSubcommand(p.name(), p.command());
        }
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> handle(e, cmd.getErr()));
        cl.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("ringsgd: " + e.getMessage());
            e.getCommandLine().getErr().println("Try 'ringsgd " + e.getCommandLine().getCommandName()
                    + " --help' for the options.");
            return USAGE;
        });
        return cl.execute(args);
    }

    static int handle(Exception e, PrintWriter err) {
        if (e instanceof IllegalArgumentException || e instanceof CommandLine.ParameterException
                || e instanceof CheckpointException || e instanceof DataFileException) {
            err.println("ringsgd: " + e.getMessage());
            return USAGE;
        }
        if (e instanceof CollectiveException) {
            err.println("ringsgd: " + e.getMessage());
            Throwable cause = e.getCause();
            if (cause != null && !(cause instanceof CollectiveException) && !(cause instanceof java.io.IOException)) {
                // Not a peer's failure but an error inside this rank: show where.
                cause.printStackTrace(err);
            }
            return COLLECTIVE_FAILED;
        }
        err.println("ringsgd: unexpected failure: " + e);
        e.printStackTrace(err);
        return 1;
    }

    /** Version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"ringsgd " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
