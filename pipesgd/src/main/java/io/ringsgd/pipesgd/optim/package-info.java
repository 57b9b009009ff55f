/** SGD with momentum (classic or Nesterov) and weight decay, and learning-rate schedules with linear warm-up. */
package io.ringsgd.pipesgd.optim;
