package dev.rebound.benchmarks;

import org.openjdk.jmh.annotations.Threads;

/** (d) The happy path with 4 threads sharing every contender. */
@Threads(4)
public class HappyPathFourThreads extends HappyPath {
}
