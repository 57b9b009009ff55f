/** GPU buffers: the Device SPI, CUDA and host devices, and the pipelined device AllReduce. */
package io.ringsgd.gpu;
