# frozen_string_literal: true

# What one await of a C future costs through UniFFI's generated Ruby, and 10 000 concurrent ones.
#
#     LD_LIBRARY_PATH=BUILD/fixtures/futures ruby runners/uniffi-ruby/bench/await.rb \
#         --bindings BUILD/runners/uniffi-ruby/bindings [--rounds 3] [--n 2000] [--concurrent 10000]
#
# Rows (best of --rounds; the fixture's protocol monitor stays on, as in bench/python_await):
#   always_ready                 Futures.always_ready on the calling Thread: per await
#   Thread.new.join              the floor of the Thread each concurrent await needs
#   N concurrent sleep(0)        N Threads each awaiting Futures.sleep(0): wall time, or the
#                                error that stopped it (one IO.pipe per pending call: R6)
require 'io/wait'
require 'json'

def option(name, default)
  index = ARGV.index("--#{name}")
  index ? ARGV[index + 1] : default
end

bindings = option('bindings', nil) or abort 'await.rb: --bindings DIR is required'
rounds = Integer(option('rounds', '3'))
n = Integer(option('n', '2000'))
concurrent = Integer(option('concurrent', '10000'))
info = JSON.parse(File.read(File.join(bindings, 'futures', 'bindings.json')))
load File.join(bindings, 'futures', info['file'])

def clock
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

def best(rounds)
  Array.new(rounds) { yield }.min
end

per_await = best(rounds) do
  start = clock
  n.times { Futures.always_ready }
  (clock - start) / n
end
thread_floor = best(rounds) do
  start = clock
  n.times { Thread.new {}.join }
  (clock - start) / n
end
puts format('%-34s %10.1f us per await', 'always_ready', per_await * 1e6)
puts format('%-34s %10.1f us per Thread', 'Thread.new.join', thread_floor * 1e6)
walls = Array.new(rounds) do
  start = clock
  errors = Queue.new
  threads = Array.new(concurrent) do
    Thread.new do
      Futures.sleep(0)
    rescue StandardError => e
      errors << e.class.name
    end
  end
  threads.each(&:join)
  failed = []
  failed << errors.pop until errors.empty?
  [clock - start, failed]
end
wall, failed = walls.min_by(&:first)
if failed.empty?
  puts format('%-34s %10.3f s  (%.1f us per await)', "#{concurrent} concurrent sleep(0)", wall, wall / concurrent * 1e6)
else
  puts format('%-34s %10.3f s  but %d of %d failed (%s)', "#{concurrent} concurrent sleep(0)", wall,
              failed.size, concurrent, failed.tally.map { |k, v| "#{k} x#{v}" }.join(', '))
end
