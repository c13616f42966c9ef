# frozen_string_literal: true

# A worker of the uniffi-ruby runner (runner.rb): loads the generated bindings of each fixture a
# request names (their libraries are found through the LD_LIBRARY_PATH runner.rb set), performs
# the scenario (scenario.rb) and answers one JSON line per request line.
#
#     ruby worker.rb --bindings DIR
require 'json'
require 'ffi'
# The generated async code calls IO#wait_readable, which Ruby 3.1 (Debian 12's) defines only
# after `require 'io/wait'`; the generated file does not require it (docs/findings.md, R1). A
# user on Ruby 3.1 has to load it first, and so does the adapter; ASYNCABI_UNIFFI_RUBY_NO_IO_WAIT=1
# leaves it out to show the finding.
require 'io/wait' unless ENV['ASYNCABI_UNIFFI_RUBY_NO_IO_WAIT'] == '1'
$LOAD_PATH.unshift(File.expand_path('..', __dir__))
require 'uniffi_adapter/generated'
require 'uniffi_adapter/scenario'

module UniffiAdapter
  # The protocol's run request, performed with the generated bindings.
  class WorkerLoop
    def initialize(bindings)
      @bindings = bindings
      @generated = {}   # fixture -> Generated
      @interfaces = {}  # interface.json path -> parsed
    end

    def run(request)
      scenario = request.fetch('scenario')
      seed = Integer(request.fetch('seed', 0))
      time_scale = Float(request.fetch('time_scale', 1.0))
      fixtures = request.fetch('fixtures')
      generated = scenario['fixtures'].to_h do |name|
        [name, (@generated[name] ||= Generated.new(@bindings, name))]
      end
      interfaces = scenario['fixtures'].to_h do |name|
        path = fixtures.fetch(name).fetch('interface')
        [name, (@interfaces[path] ||= JSON.parse(File.read(path)))]
      end
      generated.each_value { |gen| gen.monitor_begin(scenario['id'], seed, time_scale, scenario['fixture_mode']) }
      start = UniffiAdapter.now
      steps = ScenarioRun.new(scenario, generated, interfaces, time_scale).run
      elapsed = UniffiAdapter.ms_since(start)
      monitor = generated.transform_values(&:monitor_end)
      { result: { id: request['id'], steps: steps, elapsed_ms: elapsed, monitor: monitor } }
    end

    def serve(input, out)
      input.each_line do |line|
        message = JSON.parse(line)
        request = message['run']
        answer = begin
          run(request)
        rescue StandardError, ScriptError => e
          warn "#{e.class}: #{e.message}\n#{e.backtrace&.first(8)&.join("\n")}"
          { error: { id: request['id'], message: "#{e.class}: #{e.message}" } }
        end
        out.puts(JSON.generate(answer))
      end
    end
  end
end

if $PROGRAM_NAME == __FILE__
  index = ARGV.index('--bindings')
  abort 'worker.rb: --bindings DIR is required' unless index && ARGV[index + 1]
  out = $stdout.dup
  out.sync = true
  $stdout.reopen($stderr) # stdout carries the protocol only
  UniffiAdapter::WorkerLoop.new(ARGV[index + 1]).serve($stdin, out)
end
