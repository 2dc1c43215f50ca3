import java.util.*;
public class Alloc {
    public static void main(String[] args) {
        List<byte[]> keep = new ArrayList<>();
        Random r = new Random(1);
        long end = System.currentTimeMillis() + Long.parseLong(args[0]);
        int n = 0;
        while (System.currentTimeMillis() < end) {
            byte[] x = new byte[1024 + r.nextInt(64 * 1024)];
            if (r.nextInt(100) < 3) keep.add(x);
            if (keep.size() > 4000) keep.subList(0, 2000).clear();
            if (++n % 200000 == 0) System.gc();
        }
        System.out.println(keep.size());
    }
}
