/**
 * The trainer SPI shared by all trainers: {@link io.ringsgd.pipesgd.train.TrainConfig} (every option of
 * {@code ringsgd train}, validated up front), {@link io.ringsgd.pipesgd.train.Trainer} and the registry
 * {@link io.ringsgd.pipesgd.train.Trainers} (trainers plug in through {@link java.util.ServiceLoader} and
 * {@link io.ringsgd.pipesgd.train.TrainerProvider}), {@link io.ringsgd.pipesgd.train.TrainingListener} and its events,
 * {@link io.ringsgd.pipesgd.train.TrainResult}, and {@link io.ringsgd.pipesgd.train.TrainingSession}, the building
 * blocks a trainer is made of (data shard, model, optimizer, schedule, evaluation, checkpoints, timing).
 */
package io.ringsgd.pipesgd.train;
