package dev.rebound.it.plain.generated;

import dev.rebound.it.woven.WovenBackend;

/**
 * A top-level class named with a bare $$, compiled by javac alone, with no Rebound annotation of its own, over a
 * class ajc wove: named, and read, as WovenBackend by every door.
 */
public class Sub$$Woven extends WovenBackend {
}
