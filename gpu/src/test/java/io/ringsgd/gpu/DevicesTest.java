package io.ringsgd.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Device detection never crashes and always says why CUDA is not used. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DevicesTest {

    @Test
    void bestIsTheCudaDeviceWhenOneWorksAndOtherwiseTheHostWithAReason() {
        try (Device d = Devices.best()) {
            if (Devices.cudaAvailable()) {
                assertThat(d.kind()).isEqualTo(DeviceKind.CUDA);
                assertThat(Devices.cudaUnavailableReason()).isNull();
                assertThat(Devices.cudaDeviceCount()).isPositive();
                return;
            }
            assertThat(d).isInstanceOf(HostDevice.class);
            assertThat(d.kind()).isEqualTo(DeviceKind.HOST);
            assertThat(Devices.cudaDeviceCount()).isZero();
            // What was missing: a driver (error code from the runtime) or a library that did not link.
            assertThat(Devices.cudaUnavailableReason()).isNotBlank()
                    .containsAnyOf("cudaGetDeviceCount returned", "not found", "could not be loaded", "no CUDA device");
        }
    }

    @Test
    void detectionIsStableAndBestCanBeCalledRepeatedly() {
        String reason = Devices.cudaUnavailableReason();
        for (int i = 0; i < 3; i++) {
            try (Device d = Devices.best()) {
                assertThat(d.name()).isNotBlank();
            }
            assertThat(Devices.cudaUnavailableReason()).isEqualTo(reason);
        }
    }

    @Test
    void openingCudaWithoutADeviceFailsWithTheReason() {
        assertThatThrownBy(() -> Devices.cuda(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        if (Devices.cudaAvailable()) {
            assertThatThrownBy(() -> Devices.cuda(Devices.cudaDeviceCount())).isInstanceOf(DeviceException.class)
                    .hasMessageContaining("there is no CUDA device");
            return;
        }
        assertThatThrownBy(() -> Devices.cuda(0)).isInstanceOf(DeviceException.class)
                .hasMessageContaining(Devices.cudaUnavailableReason())
                .hasMessageContaining("Devices.best()");
    }

    @Test
    void linkErrorsAreReducedToTheMissingLibrary() {
        String jcudaStyle = "Error while loading native library \"JCublas2-12.6.0-linux-x86_64\"\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCublas2-12.6.0-linux-x86_64.so: libcublas.so.12: cannot"
                + " open shared object file: No such file or directory\n\tat java.base/...";
        assertThat(CudaProbe.essence(new UnsatisfiedLinkError(jcudaStyle))).isEqualTo("libcublas.so.12 not found");
        assertThat(CudaProbe.essence(new NoClassDefFoundError("Could not initialize class jcuda.jcublas.JCublas2")))
                .isEqualTo("NoClassDefFoundError: Could not initialize class jcuda.jcublas.JCublas2");
    }

    @Test
    void hostDevicesDescribeThemselves() {
        try (HostDevice sync = Devices.host(); HostDevice async = HostDevice.asynchronous()) {
            assertThat(sync.isAsynchronous()).isFalse();
            assertThat(async.isAsynchronous()).isTrue();
            assertThat(sync.name()).startsWith("host");
            assertThat(async.name()).contains("asynchronous");
        }
    }
}
