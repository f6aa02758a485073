package io.sim2real.model.training;

/**
 * MBPO's rollout length schedule [start_epoch, end_epoch, start_len, end_len]: the length grows linearly
 * from start_len to end_len between the two epochs (an epoch is 1,000 environment steps).
 */
public record RolloutSchedule(int startEpoch, int endEpoch, int startLength, int endLength) {

    public RolloutSchedule {
        if (startEpoch < 0 || endEpoch < startEpoch || startLength < 1 || endLength < 1) {
            throw new IllegalArgumentException("rollout schedule needs 0 <= start_epoch <= end_epoch and lengths >= 1");
        }
    }

    public static RolloutSchedule parse(String text) {
        String[] p = text.split(",");
        if (p.length != 4) {
            throw new IllegalArgumentException("rollout schedule '" + text + "' must be start_epoch,end_epoch,start_len,end_len");
        }
        return new RolloutSchedule(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()),
                Integer.parseInt(p[2].trim()), Integer.parseInt(p[3].trim()));
    }

    public int length(long envSteps) {
        double epoch = envSteps / 1000.0;
        if (epoch <= startEpoch) {
            return startLength;
        }
        if (epoch >= endEpoch) {
            return endLength;
        }
        double t = (epoch - startEpoch) / Math.max(1, endEpoch - startEpoch);
        return (int) Math.round(startLength + t * (endLength - startLength));
    }
}
