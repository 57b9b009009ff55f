/**
 * The CoCoD-SGD trainer ({@code --trainer cocod}): local SGD steps while the model average is in flight, plugged into
 * the trainer SPI of ringsgd-pipesgd ({@link io.ringsgd.cocod.CocodSgdTrainer}, registered by
 * {@link io.ringsgd.cocod.CocodTrainerProvider}) and its iteration-time model for the plan
 * ({@link io.ringsgd.cocod.CocodCostModel}).
 */
package io.ringsgd.cocod;
