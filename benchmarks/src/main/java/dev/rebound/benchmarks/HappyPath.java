package dev.rebound.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;

/** (a) Nothing fails. */
public class HappyPath extends Contenders {

    @Override
    Model newPrimary() {
        return new Subjects.Healthy();
    }

    /** The floor: the call itself, no guard. */
    @Benchmark
    public String direct() {
        return primary.chat(prompt);
    }
}
