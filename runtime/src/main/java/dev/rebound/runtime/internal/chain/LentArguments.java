package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.spi.PerThread;
import java.util.Arrays;

/**
 * The argument arrays a synchronous call whose door passed its arguments loose
 * ({@link dev.rebound.runtime.spi.ResilientMethod#failedAt}) borrows from its thread when the engine
 * needs them as an array (an alternative, the chain): lent for the rest of the call, cleared and given
 * back when it ends; a call nested in it on the same thread gets a new one. Nothing of a call stays in them.
 */
final class LentArguments {

    /** The most arguments a door passes loose. */
    static final int MAX = 4;

    /** Each thread's spare arrays, by length (1 to {@link #MAX}); null while lent. */
    private static final PerThread<Object[][]> SPARE = new PerThread<>(() -> {
        Object[][] byLength = new Object[MAX + 1][];
        for (int n = 1; n <= MAX; n++) {
            byLength[n] = new Object[n];
        }
        return byLength;
    });

    private LentArguments() {
    }

    /**
     * This thread's spare arrays, for {@link #lend} and {@link #giveBack}: found once for both (a look-up by
     * thread id); null for {@code count} 0, which lends nothing.
     */
    static Object[][] spare(int count) {
        return count == 0 ? null : SPARE.get();
    }

    /**
     * {@code [a0..]} of length {@code count} (0: null), from {@code spare} ({@link #spare}) if free; give it back
     * to the same.
     */
    static Object[] lend(Object[][] spare, int count, Object a0, Object a1, Object a2, Object a3) {
        if (count == 0) {
            return null;
        }
        Object[] args = spare[count];
        if (args == null) {
            args = new Object[count]; // this thread's is lent to a call still running: this one is nested in it
        } else {
            spare[count] = null;
        }
        switch (count) {
            case 4:
                args[3] = a3;
                // fall through
            case 3:
                args[2] = a2;
                // fall through
            case 2:
                args[1] = a1;
                // fall through
            default:
                args[0] = a0;
        }
        return args;
    }

    /** The call that borrowed {@code args} from {@code spare} ended. */
    static void giveBack(Object[][] spare, Object[] args) {
        if (args != null) {
            Arrays.fill(args, null);
            spare[args.length] = args;
        }
    }
}
