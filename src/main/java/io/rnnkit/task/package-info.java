/**
 * The Java API of the three steps of rnnkit's main job: pretrain a language model, fine-tune a
 * sentence classifier from it, and export the classifier. The command line calls the same classes.
 */
package io.rnnkit.task;
