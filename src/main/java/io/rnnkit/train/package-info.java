/**
 * Training: optimizers whose learning rate is a graph operand, the per-bucket training graphs, the
 * training loop, evaluation and checkpoints.
 */
package io.rnnkit.train;
