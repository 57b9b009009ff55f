/*
 * Times MPI_Allreduce (float SUM, out of place) the way `ringsgd bench allreduce` reports its mean: after warm-up,
 * a timed loop, the slowest rank's time per operation; and, as its cpu_ms_per_op, the CPU time of all ranks'
 * processes during the loop per operation. Prints one JSON line on rank 0.
 * Usage: allreduce_timing BYTES ITERS WARMUP
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long bytes = argc > 1 ? atol(argv[1]) : 8;
    int iters = argc > 2 ? atoi(argv[2]) : 100;
    int warmup = argc > 3 ? atoi(argv[3]) : 10;
    long n = bytes / 4 > 0 ? bytes / 4 : 1;
    float *send = malloc(n * sizeof(float)), *recv = malloc(n * sizeof(float));
    for (long i = 0; i < n; i++) send[i] = (float) (rank + 1 + i % 13);
    for (int i = 0; i < warmup; i++) MPI_Allreduce(send, recv, (int) n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Barrier(MPI_COMM_WORLD);
    double c0 = cpu_seconds();
    double t0 = MPI_Wtime();
    for (int i = 0; i < iters; i++) MPI_Allreduce(send, recv, (int) n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    double mine = (MPI_Wtime() - t0) / iters, slowest;
    double my_cpu = (cpu_seconds() - c0) / iters, all_cpu;
    MPI_Reduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&my_cpu, &all_cpu, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    int correct = 1;
    for (long i = 0; i < n; i++) {
        if (recv[i] != (float) (size * (size + 1) / 2 + size * (i % 13))) { correct = 0; break; }
    }
    if (rank == 0) {
        printf("{\"system\":\"openmpi\",\"np\":%d,\"bytes\":%ld,\"iters\":%d,\"mean_us\":%.2f,\"correct\":%s,"
               "\"cpu_ms_per_op\":%.4f}\n", size, n * 4, iters, slowest * 1e6, correct ? "true" : "false",
               all_cpu * 1e3);
    }
    free(send);
    free(recv);
    MPI_Finalize();
    return 0;
}
