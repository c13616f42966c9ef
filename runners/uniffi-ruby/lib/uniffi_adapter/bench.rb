# frozen_string_literal: true

# `--bench`: what one await of a C future costs through UniFFI's generated Ruby, next to Ruby's
# own floor, in one process (bench/binding_await prints it beside the other backends).
#
#     ruby runner.rb --bindings DIR --bench LIBRARY [AWAITS CONCURRENT ROUNDS]
#
# runner.rb hands the arguments to UniffiAdapter::Bench.spawn, which starts this file as a
# process of its own with LD_LIBRARY_PATH on a folder holding a link to LIBRARY (the generated
# file loads its library by name, as runner.rb's workers do) and passes its one JSON line
# (bench/binding_await/README.md) through. Rows, best of ROUNDS, the fixture's monitor on:
#   floor_s              Thread.pass: the calling Thread yields once (Ruby's own await)
#   always_ready_s       Futures.always_ready on the calling Thread (the generated call blocks it)
#   woken_s              Futures.say_after_with_tokio(0, 'x'): pending at the first poll, woken
#                        from the fixture's own thread (AWAITS / 5 awaits)
#   concurrent_floor_s   CONCURRENT Threads each doing Thread.pass, all joined
#   concurrent_s         CONCURRENT Threads each awaiting Futures.sleep(0), all joined: without a
#                        Fiber::Scheduler one Thread per pending call is Ruby's only concurrency
# A batch in which any call (or Thread.new) raised is no measurement: its exceptions are counted
# by class in `failures` (each pending call holds an IO.pipe, two descriptors: Errno::EMFILE is
# finding R6) and it is left out of the best; if every round failed, concurrent_s is null.
require 'json'
require 'tmpdir'
require 'fileutils'
require 'English'

module UniffiAdapter
  # The bench: spawn (in runner.rb's process) and measure (in the child).
  module Bench
    USAGE = 'usage: runner.rb --bindings DIR --bench LIBRARY [AWAITS CONCURRENT ROUNDS]'

    def self.spawn(bindings, args)
      library = args.first
      unless library && File.exist?(library)
        warn "uniffi-ruby: --bench needs the fixture library (#{library.inspect} not found); #{USAGE}"
        return 2
      end
      info = JSON.parse(File.read(File.join(bindings, 'futures', 'bindings.json')))
      Dir.mktmpdir('uniffi-ruby-bench-') do |folder|
        File.symlink(File.expand_path(library), File.join(folder, "lib#{info['cdylib_name']}.so"))
        env = { 'LD_LIBRARY_PATH' => [folder, ENV['LD_LIBRARY_PATH']].compact.join(':') }
        system(env, RbConfig.ruby, __FILE__, bindings, *args.drop(1))
        status($CHILD_STATUS)
      end
    end

    # The child's exit status as a shell would give it; a signal is also said on stderr (a
    # crash after the JSON line was printed must not pass for a clean run).
    def self.status(child)
      return child.exitstatus if child.exited?

      name = Signal.signame(child.termsig) if child.signaled?
      warn "uniffi-ruby: the bench process died of SIG#{name || '?'}"
      128 + (child.termsig || 0)
    end

    def self.clock
      Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end

    def self.per_await(count)
      start = clock
      count.times { yield }
      (clock - start) / count
    end

    # One batch: `count` Threads, then all joined; the wall time, or nil with failures counted.
    def self.batch(count, failures, &block)
      errors = Queue.new
      start = clock
      threads = []
      count.times do
        threads << Thread.new do
          block.call
        rescue StandardError => e
          errors << e.class.name
        end
      rescue ThreadError => e # Thread.new itself (a resource limit)
        errors << e.class.name
      end
      threads.each(&:join)
      wall = clock - start
      return wall if errors.empty?

      names = []
      names << errors.pop until errors.empty?
      names.tally.each { |name, n| failures[name] = failures.fetch(name, 0) + n }
      nil
    end

    def self.measure(bindings, awaits, concurrent, rounds)
      $LOAD_PATH.unshift(File.expand_path('..', __dir__))
      require 'io/wait' # finding R1: the generated code needs it on Ruby 3.1
      require 'uniffi_adapter/generated'
      gen = Generated.new(bindings, 'futures')
      mod = gen.mod
      best = lambda do |&block|
        Array.new(rounds) do
          gen.monitor_begin('bench', 1, 1.0) # the monitor on, its record of the last round dropped
          block.call
        end.compact.min
      end
      failures = {}
      failed_rounds = 0
      # In this order: each floor before the binding's row.
      floor = best.call { per_await(awaits) { Thread.pass } }
      ready = best.call { per_await(awaits) { mod.always_ready } }
      woken = best.call { per_await([1, awaits / 5].max) { mod.say_after_with_tokio(0, 'x') } }
      floor_failures = {}
      concurrent_floor = best.call { batch(concurrent, floor_failures) { Thread.pass } }
      floor_failures.each { |name, n| failures["#{name} (floor)"] = n }
      concurrent_s = best.call do
        wall = batch(concurrent, failures) { mod.sleep(0) }
        failed_rounds += 1 if wall.nil?
        wall
      end
      gen.monitor_begin('bench', 1, 1.0) # the monitor's record of the bench is dropped
      require 'ffi'
      { backend: 'uniffi-ruby',
        implementation: "UniFFI #{gen.info['uniffi_bindgen']} generated Ruby on #{RUBY_ENGINE} #{RUBY_VERSION}, " \
                        "ruby-ffi #{FFI::VERSION}, one Ruby Thread per awaiting call",
        floor: 'Thread.pass', floor_s: floor, always_ready_s: ready, woken_s: woken,
        concurrent: concurrent, concurrent_floor_s: concurrent_floor, concurrent_s: concurrent_s,
        failures: failures, failed_rounds: failed_rounds, rounds: rounds }
    end
  end
end

if $PROGRAM_NAME == __FILE__
  bindings, *numbers = ARGV
  numbers = numbers.map { |n| Integer(n, exception: false) }
  unless bindings && numbers.size <= 3 && numbers.all? { |n| n&.positive? }
    warn "bench.rb: #{UniffiAdapter::Bench::USAGE} (positive integers)"
    exit 2
  end
  awaits, concurrent, rounds = numbers
  result = UniffiAdapter::Bench.measure(bindings, awaits || 20_000, concurrent || 10_000, rounds || 3)
  $stdout.puts(JSON.generate(result))
end
