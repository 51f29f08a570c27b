package dev.rebound.benchmarks;

import dev.rebound.benchmarks.woven.WovenModel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * (e) What the aspect costs where it does nothing: a public method without annotation, on a woven
 * class, against the same method of the same code compiled by javac alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class UnannotatedMethod {

    String prompt = "ping";
    AnnotatedModel unwoven;
    WovenModel woven;

    @Setup
    public void setUp() {
        Model healthy = new Subjects.Healthy();
        unwoven = new AnnotatedModel(healthy);
        woven = new WovenModel(healthy);
    }

    /** The unwoven twin: the floor of this path. */
    @Benchmark
    public String direct() {
        return unwoven.plain(prompt);
    }

    @Benchmark
    public String reboundWoven() {
        return woven.plain(prompt);
    }
}
