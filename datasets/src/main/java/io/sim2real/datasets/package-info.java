/**
 * Offline datasets of transitions: the {@code .s2rds} file format ({@link io.sim2real.datasets.DatasetWriter},
 * {@link io.sim2real.datasets.DatasetReader}), the in-memory {@link io.sim2real.datasets.Dataset}, and the import
 * of a robot's log from JSON lines ({@link io.sim2real.datasets.JsonLinesImporter}). The formats are specified
 * in {@code docs/DATASETS.md}.
 */
package io.sim2real.datasets;
