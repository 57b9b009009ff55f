package io.ringsgd.pipesgd.compute;

import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.gpu.Device;
import io.ringsgd.gpu.Devices;
import io.ringsgd.gpu.HostDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the ranks of one job compute: the same kind of device on every rank (device and host AllReduces are different
 * collectives and cannot be mixed in one group), and on a machine with several CUDA devices one per local rank.
 */
public final class DeviceAgreement {
    private static final Logger log = LoggerFactory.getLogger(DeviceAgreement.class);

    private DeviceAgreement() {
    }

    /**
     * With {@code --device auto} on several ranks, makes every rank use CUDA only if every rank can (one small
     * AllReduce, so collective); any other setting, or one rank, keeps {@code mine}.
     */
    public static ResolvedDevice agree(Communicator comm, ComputeDevice requested, ResolvedDevice mine) {
        if (requested != ComputeDevice.AUTO || comm.size() == 1) {
            return mine;
        }
        float[] cuda = {mine.device() == ComputeDevice.CUDA ? 1f : 0f};
        comm.allreduce(cuda, ReduceOp.MIN);
        if (cuda[0] == 0f && mine.device() == ComputeDevice.CUDA) {
            return mine.withDevice(ComputeDevice.CPU, "auto: another rank has no CUDA device, and all ranks must "
                    + "compute alike");
        }
        return mine;
    }

    /**
     * Opens the device of rank {@code rank}: the host device for {@code host-device}; for {@code cuda}, CUDA device
     * (LOCAL_RANK, else the rank) modulo the device count, so that the ranks of a host spread over its devices.
     */
    public static Device open(ComputeDevice d, int rank) {
        if (d == ComputeDevice.HOST_DEVICE) {
            return HostDevice.asynchronous();
        }
        int count = Math.max(1, Devices.cudaDeviceCount());
        int local = rank;
        String env = System.getenv("LOCAL_RANK");
        if (env != null) {
            try {
                local = Integer.parseInt(env.trim());
            } catch (NumberFormatException e) {
                log.warn("LOCAL_RANK '{}' is not a number: choosing the CUDA device by rank {}", env, rank);
            }
        }
        return Devices.cuda(Math.floorMod(local, count));
    }
}
