/**
 * Reads the one sluice YAML file into immutable {@code *Spec} records, reporting every problem with
 * its file, line, column and key path; Jackson types stay inside this package.
 */
package dev.sluice.engine.config;
