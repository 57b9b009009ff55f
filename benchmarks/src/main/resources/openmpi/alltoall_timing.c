/*
 * Times MPI_Alltoall (floats) the way `ringsgd bench alltoall` reports it: BYTES is what each rank sends in all
 * (P blocks), after WARMUP untimed calls each of ITERS calls is timed on every rank, and rank 0 prints the median and
 * minimum of the slowest rank's times, in microseconds, and whether every block arrived intact.
 * Usage: alltoall_timing BYTES ITERS WARMUP
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int by_value(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long bytes = argc > 1 ? atol(argv[1]) : 4194304;
    int iters = argc > 2 ? atoi(argv[2]) : 20, warmup = argc > 3 ? atoi(argv[3]) : 5;
    long block = bytes / 4 / size;
    if (block < 1) block = 1;
    float *send = malloc(block * size * 4), *recv = malloc(block * size * 4);
    double *t = malloc(iters * sizeof(double)), *worst = malloc(iters * sizeof(double));
    for (long i = 0; i < block * size; i++) send[i] = (float) ((rank * 7 + i) % 101);
    for (int i = 0; i < warmup; i++) MPI_Alltoall(send, block, MPI_FLOAT, recv, block, MPI_FLOAT, MPI_COMM_WORLD);
    MPI_Barrier(MPI_COMM_WORLD);
    for (int i = 0; i < iters; i++) {
        double t0 = MPI_Wtime();
        MPI_Alltoall(send, block, MPI_FLOAT, recv, block, MPI_FLOAT, MPI_COMM_WORLD);
        t[i] = (MPI_Wtime() - t0) * 1e6;
    }
    int ok = 1;
    for (int q = 0; q < size; q++)
        for (long i = 0; i < block; i++)
            ok &= recv[q * block + i] == (float) ((q * 7 + rank * block + i) % 101);
    int all_ok;
    MPI_Reduce(t, worst, iters, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        qsort(worst, iters, sizeof(double), by_value);
        double median = iters % 2 ? worst[iters / 2] : (worst[iters / 2 - 1] + worst[iters / 2]) / 2;
        printf("{\"system\":\"openmpi\",\"np\":%d,\"bytes\":%ld,\"median_us\":%.1f,\"min_us\":%.1f,\"correct\":%s}\n",
               size, block * size * 4, median, worst[0], all_ok ? "true" : "false");
    }
    MPI_Finalize();
    return 0;
}
