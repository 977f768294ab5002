package dev.berth.bench;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Runs inside a container's network namespace (nsenter -t PID -n): asks the container's resolver (Docker's embedded
 * DNS, 127.0.0.11) for each name {@code count} times, one query at a time after a warm-up, and prints one line per
 * name: {@code name <microseconds of each answered query, comma-separated> failures=<n>}.
 * Usage: LookupLoop SERVER COUNT NAME...
 */
public final class LookupLoop {
    private LookupLoop() {
    }

    public static void main(String[] args) throws Exception {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(args[0], 53));
        resolver.setTimeout(Duration.ofSeconds(2));
        int count = Integer.parseInt(args[1]);
        for (int i = 2; i < args.length; i++) {
            Name name = Name.fromString(args[i], Name.root);
            List<Long> micros = new ArrayList<>();
            int failures = 0;
            for (int q = 0; q < count + 50; q++) {
                Message query = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
                long t0 = System.nanoTime();
                boolean ok;
                try {
                    Message answer = resolver.send(query);
                    ok = answer.getRcode() == Rcode.NOERROR && answer.getSection(1).size() > 0;
                } catch (java.io.IOException e) {
                    ok = false;
                }
                long took = (System.nanoTime() - t0) / 1000;
                if (q < 50) {
                    continue;
                }
                if (ok) {
                    micros.add(took);
                } else {
                    failures++;
                }
            }
            StringBuilder line = new StringBuilder(args[i]).append(' ');
            for (int k = 0; k < micros.size(); k++) {
                line.append(k == 0 ? "" : ",").append(micros.get(k));
            }
            System.out.println(line.append(" failures=").append(failures));
        }
    }
}
