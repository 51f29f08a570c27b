package dev.rebound.it.plain.generated;

/**
 * A top-level class named with a bare $$ (another generator's name, or a user's), compiled by javac alone, with no
 * Rebound annotation of its own: named, and read, as the class above it, RetriedBackend, by every door.
 */
public class Sub$$Backend extends RetriedBackend {
}
