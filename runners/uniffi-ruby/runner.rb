#!/usr/bin/env ruby
# frozen_string_literal: true

# The stdio runner of the uniffi-ruby backend (docs/runner-protocol.md): the protocol loop.
#
#     ruby runner.rb --bindings DIR
#
# DIR holds one folder per fixture with the Ruby file uniffi-bindgen generated from the fixture's
# UDL and its bindings.json (generate.py). The generated code loads its library by name
# (`ffi_lib 'asyncabi_fixture_futures'`, which the dynamic loader resolves through
# LD_LIBRARY_PATH) and defines one top-level module per namespace, so one Ruby process can hold
# the bindings of one library per fixture only. This process speaks the protocol and hands each
# run to a worker (lib/uniffi_adapter/worker.rb) started for the set of libraries the request
# names, with LD_LIBRARY_PATH on a private folder of links to them; the worker performs the
# steps with the generated code. A worker that dies ends this runner too (the harness reports
# the run as crashed and restarts it).
require 'json'
require 'open3'
require 'tmpdir'
require 'fileutils'

PROTOCOL_VERSION = 1
HERE = File.expand_path(__dir__)
$LOAD_PATH.unshift(File.join(HERE, 'lib'))
require 'uniffi_adapter/capabilities'

# One worker process for one set of libraries.
class Worker
  def initialize(bindings, libraries)
    @folder = Dir.mktmpdir('uniffi-ruby-')
    libraries.each do |fixture, library|
      info = JSON.parse(File.read(File.join(bindings, fixture, 'bindings.json')))
      File.symlink(File.expand_path(library), File.join(@folder, "lib#{info['cdylib_name']}.so"))
    end
    env = { 'LD_LIBRARY_PATH' => [@folder, ENV['LD_LIBRARY_PATH']].compact.join(':') }
    @stdin, @stdout, @thread = Open3.popen2(env, RbConfig.ruby,
                                            File.join(HERE, 'lib', 'uniffi_adapter', 'worker.rb'),
                                            '--bindings', bindings, err: $stderr)
  end

  # The worker's answer to one request line, or nil if it died.
  def ask(line)
    @stdin.puts(line)
    @stdin.flush
    @stdout.gets
  rescue Errno::EPIPE, IOError
    nil
  end

  def close
    @stdin.close unless @stdin.closed?
    @thread.join(5)
    FileUtils.rm_rf(@folder)
  end
end

def hello(bindings)
  versions = Dir.glob(File.join(bindings, '*', 'bindings.json')).map do |path|
    JSON.parse(File.read(path))['uniffi_bindgen']
  end.uniq.sort
  require 'ffi'
  { hello: { name: 'uniffi-ruby', version: '0.1.0', language: 'ruby',
             implementation: "UniFFI #{versions.empty? ? '?' : versions.join(', ')} generated Ruby " \
                             "bindings on #{RUBY_ENGINE} #{RUBY_VERSION}, ruby-ffi #{FFI::VERSION}, " \
                             'one Ruby Thread per awaiting call',
             protocol: PROTOCOL_VERSION, capabilities: UniffiAdapter::CAPABILITIES } }
end

def main(argv)
  index = argv.index('--bindings')
  bindings = index && argv[index + 1]
  if bindings.nil? || !File.directory?(bindings)
    warn "uniffi-ruby: no generated bindings at #{bindings.inspect} (build the target uniffi_ruby_bindings)"
    return 2
  end
  bindings = File.expand_path(bindings)
  if (at = argv.index('--bench'))
    require 'uniffi_adapter/bench' # lib/uniffi_adapter/bench.rb
    return UniffiAdapter::Bench.spawn(bindings, argv[(at + 1)..])
  end
  out = $stdout.dup
  out.sync = true
  $stdout.reopen($stderr) # stdout carries the protocol only
  out.puts(JSON.generate(hello(bindings)))
  workers = {}
  $stdin.each_line do |line|
    line = line.strip
    next if line.empty?
    begin
      message = JSON.parse(line)
    rescue JSON::ParserError => e
      out.puts(JSON.generate(error: { id: nil, message: "bad JSON: #{e.message}" }))
      next
    end
    break if message.key?('stop')
    request = message['run']
    unless request.is_a?(Hash)
      out.puts(JSON.generate(error: { id: nil, message: "unknown request #{message.keys.sort}" }))
      next
    end
    libraries = (request['fixtures'] || {}).transform_values { |f| f['library'] }.sort.to_h
    begin
      worker = (workers[libraries] ||= Worker.new(bindings, libraries))
    rescue SystemCallError, JSON::ParserError, TypeError => e
      out.puts(JSON.generate(error: { id: request['id'], message: "cannot start a worker for #{libraries}: #{e.message}" }))
      next
    end
    answer = worker.ask(JSON.generate(message))
    if answer.nil?
      warn "uniffi-ruby: the worker for #{libraries} died during run #{request['id']}"
      return 3
    end
    out.puts(answer)
  end
  workers.each_value(&:close)
  0
end

exit(main(ARGV)) if $PROGRAM_NAME == __FILE__
