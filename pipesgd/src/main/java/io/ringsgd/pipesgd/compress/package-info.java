/** Error feedback for lossy (fp16, int8) AllReduce: what quantization drops is added back at the next step. */
package io.ringsgd.pipesgd.compress;
