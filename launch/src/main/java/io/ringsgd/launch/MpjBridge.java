package io.ringsgd.launch;

import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Set;

/**
 * Reaches the MPJ Express support ({@code io.ringsgd.launch.mpj}), which is compiled only when MPJ Express is
 * installed at build time (see the README), and recognizes a process started by {@code mpjrun}: MPJ Express calls
 * {@code main} with its own arguments first (the rank, the group size or device configuration, the device name).
 */
final class MpjBridge {
    private static final String RUNTIME = "io.ringsgd.launch.mpj.MpjRuntime";
    private static final Set<String> DEVICES = Set.of("smpdev", "niodev", "mxdev", "hybdev", "native", "multicore");

    private static volatile boolean initialized;

    private MpjBridge() {
    }

    /** True when {@code args} start with the arguments MPJ Express's starter passes to every rank. */
    static boolean isMpjLaunch(String[] args) {
        return args.length >= 3 && args[0].matches("\\d+") && DEVICES.contains(args[2]);
    }

    /** {@code MPI.Init}: returns the application's own arguments. */
    static String[] init(String[] args) {
        String[] rest = (String[]) invoke("init", new Class<?>[] {String[].class}, (Object) args);
        initialized = true;
        return rest;
    }

    static void finish() {
        if (initialized) {
            invoke("finish", new Class<?>[0]);
        }
    }

    /**
     * True when every rank of this process's MPJ job runs on one host (same processor name), false when they span
     * hosts; true outside an MPJ job.
     */
    static boolean ranksShareOneHost() {
        return !initialized || (Boolean) invoke("ranksShareOneHost", new Class<?>[0]);
    }

    /** True once this process has joined an MPJ Express job. */
    static boolean isInitialized() {
        return initialized;
    }

    /** Size of the MPJ job this process belongs to. */
    static int worldSize() {
        requireInitialized();
        return (Integer) invoke("size", new Class<?>[0]);
    }

    /** This process's rank in the MPJ job. */
    static int rank() {
        requireInitialized();
        return (Integer) invoke("rank", new Class<?>[0]);
    }

    private static void requireInitialized() {
        requireSupport();
        if (!initialized) {
            throw new IllegalArgumentException("--transport mpj needs an MPJ Express job: start the ranks with"
                    + " launch/bin/ringsgd-mpjrun -np N -- <command>");
        }
    }

    static Communicator communicator(CommunicatorConfig config) {
        requireSupport();
        if (!initialized) {
            throw new IllegalArgumentException("--transport mpj needs an MPJ Express job: start the ranks with"
                    + " launch/bin/ringsgd-mpjrun -np N -- <command>");
        }
        return (Communicator) invoke("communicator", new Class<?>[] {CommunicatorConfig.class}, config);
    }

    /** Throws the "built without MPJ Express" error if the MPJ support was not compiled into this build. */
    private static void requireSupport() {
        try {
            Class.forName(RUNTIME, false, MpjBridge.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw withoutMpj();
        }
    }

    private static IllegalArgumentException withoutMpj() {
        return new IllegalArgumentException("--transport mpj needs MPJ Express: this build of ringsgd was made"
                + " without it. Install it (Debian: apt-get install libmpj-java, or unpack MPJ Express and set"
                + " MPJ_HOME), rebuild with mvn install, and start the ranks with launch/bin/ringsgd-mpjrun");
    }

    private static Object invoke(String name, Class<?>[] types, Object... args) {
        Class<?> runtime;
        try {
            runtime = Class.forName(RUNTIME);
        } catch (ClassNotFoundException e) {
            throw withoutMpj();
        } catch (LinkageError e) {
            throw new IllegalArgumentException("MPJ Express is not on the class path (" + e + "): start the ranks"
                    + " with launch/bin/ringsgd-mpjrun");
        }
        try {
            Method m = runtime.getMethod(name, types);
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            if (c instanceof LinkageError) {
                throw new IllegalArgumentException("MPJ Express is not on the class path (" + c + "): start the"
                        + " ranks with launch/bin/ringsgd-mpjrun", c);
            }
            throw new IllegalStateException(c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("broken MPJ support: " + e, e);
        }
    }
}
