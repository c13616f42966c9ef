# frozen_string_literal: true

# Loading UniFFI-generated Ruby bindings, the fixtures' control exports, and the mapping between
# the protocol's JSON values and the generated API's values.
#
# Nothing here touches the ABI: every call, poll, cancel, completion, free and vtable is the
# generated code's own. What the adapter adds is the fixtures' control exports (configure and
# the monitor, which are not part of the UDL), name lookup and value conversion.
require 'json'
require 'digest'
require 'ffi'

module UniffiAdapter
  LONG_STRING = 4096

  # The adapter cannot express a step with the generated API (an unknown name): a `failure`.
  class AdapterError < StandardError; end

  def self.now
    Process.clock_gettime(Process::CLOCK_MONOTONIC)
  end

  def self.ms_since(start)
    ((now - start) * 1000).round(3)
  end

  # One generated file, loaded once per worker, bound to the library LD_LIBRARY_PATH finds.
  class Generated
    attr_reader :fixture, :info, :mod

    def initialize(bindings, fixture)
      path = File.join(bindings, fixture, 'bindings.json')
      raise AdapterError, "no generated bindings for fixture #{fixture.inspect}: #{path} is missing " \
                          '(build the target uniffi_ruby_bindings)' unless File.exist?(path)

      @fixture = fixture
      @info = JSON.parse(File.read(path))
      load File.join(bindings, fixture, @info['file']) # loads the library, checks the contract
      @mod = Object.const_get(@info['module'])
      @controls = Controls.for(@info['cdylib_name'])
      @wake_listeners = []
      @wake_lock = Mutex.new
    end

    # --- control exports (the fixture kit's configure and monitor) ----------------------------
    def monitor_begin(scenario_id, seed, time_scale, mode = nil)
      c = @controls
      c.asyncabi_fixture_configure(seed, time_scale) if c.respond_to?(:asyncabi_fixture_configure)
      c.asyncabi_monitor_reset if c.respond_to?(:asyncabi_monitor_reset)
      c.asyncabi_monitor_set_scenario(scenario_id) if c.respond_to?(:asyncabi_monitor_set_scenario)
      return if mode.nil?
      # A library without the mode export reports no mode: the harness fails the run as
      # `precondition`, which is the truth.
      if c.respond_to?(:asyncabi_fixture_set_mode) && c.asyncabi_fixture_set_mode(mode) != 0
        raise AdapterError, "#{@fixture}: asyncabi_fixture_set_mode(#{mode.inspect}) refused the mode"
      end
    end

    def monitor_end
      c = @controls
      return nil unless c.respond_to?(:asyncabi_monitor_finish) && c.respond_to?(:asyncabi_monitor_report_json)

      c.asyncabi_monitor_finish
      pointer = c.asyncabi_monitor_report_json
      return nil if pointer.null?

      begin
        JSON.parse(pointer.read_string.force_encoding('UTF-8').scrub)
      ensure
        c.asyncabi_monitor_free_string(pointer) if c.respond_to?(:asyncabi_monitor_free_string)
      end
    end

    # --- the generated API ----------------------------------------------------------------------
    # The generated callable for a scenario's function name: "f" is a module function,
    # "Type.m" with a receiver a method, "Type.new" the primary constructor, "Type.other" a
    # secondary constructor (a class method).
    def callable(function, receiver = nil)
      return lookup { @mod.method(function) } unless function.include?('.')

      type, member = function.split('.', 2)
      return lookup { receiver.method(member) } unless receiver.nil?

      klass = lookup { @mod.const_get(type) }
      lookup { klass.method(member) }
    end

    def lookup
      yield
    rescue NameError => e
      raise AdapterError, "the generated bindings have no #{e.name.inspect} (#{e.message.lines.first.strip})"
    end

    # Calls `callback.call(code)` for every poll code the generated continuation delivers
    # while the block runs, just after the continuation wrote it (the awaiting Thread has not
    # read it yet). Observation only, for the cancel step's "after": "first_wake" and the
    # cancel_sweep's cancels at the answer: the generated continuation takes the pipe it writes
    # the code to from UNIFFI_ASYNC_HANDLE_MAP.get; a wrapper around that map's `get` hands
    # back a tap that writes the code unchanged, then tells the listeners.
    def observe_codes(callback)
      install_wake_tap
      @wake_lock.synchronize { @wake_listeners << callback }
      yield
    ensure
      @wake_lock.synchronize { @wake_listeners.delete(callback) }
    end

    def poll_code(name)
      lookup { @mod.const_get(name) }
    end

    def install_wake_tap
      return if @wake_tap_installed

      map = lookup { @mod.const_get(:UNIFFI_ASYNC_HANDLE_MAP) }
      listeners = @wake_listeners
      lock = @wake_lock
      map.define_singleton_method(:get) do |handle|
        io = super(handle)
        current = lock.synchronize { listeners.dup }
        current.empty? ? io : CodeTap.new(io, current)
      end
      @wake_tap_installed = true
    end

    # --- values ----------------------------------------------------------------------------------
    # One JSON value to what the generated code expects for the interface.json type `type`.
    def to_binding(value, type, types)
      if value.is_a?(Hash) && value.keys == ['$bytes']
        return [value['$bytes']].pack('H*')
      end
      if (m = /\A(optional|sequence)<(.+)>\z/.match(type.to_s))
        return nil if value.nil?
        return value.map { |v| to_binding(v, m[2], types) } if m[1] == 'sequence' && value.is_a?(Array)

        return to_binding(value, m[2], types)
      end
      decl = types[type.to_s]
      if value.is_a?(Hash) && decl && decl['kind'] == 'record'
        fields = decl['fields'].to_h { |f| [f['name'], f['type']] }
        klass = lookup { @mod.const_get(type) }
        return klass.new(**value.to_h { |k, v| [k.to_sym, to_binding(v, fields[k], types)] })
      end
      value
    end

    def typed_error?(exc, types)
      parts = exc.class.name.to_s.split('::')
      parts.length == 3 && parts[0] == @mod.name && types.dig(parts[1], 'kind') == 'error'
    end

    def internal_error?(exc)
      exc.is_a?(@mod.const_get(:InternalError))
    end

    # A generated error as the protocol's {"type", "value": {"variant", fields}}.
    def describe_error(exc)
      parts = exc.class.name.split('::')
      value = { 'variant' => parts[-1] }
      exc.instance_variables.each do |ivar|
        name = ivar.to_s.delete_prefix('@')
        value[name] = UniffiAdapter.to_json(exc.instance_variable_get(ivar)) unless name.start_with?('_')
      end
      { 'type' => parts[-2], 'value' => value }
    end

    # The generated exception for a declared error value ({"variant": name, fields}).
    def make_error(type, value)
      base = lookup { @mod.const_get(type) }
      variant = value.is_a?(String) ? value : value.fetch('variant')
      klass = lookup { base.const_get(variant) }
      fields = value.is_a?(Hash) ? value.reject { |k, _| k == 'variant' } : {}
      return klass.new if fields.empty?

      begin
        klass.new(**fields.transform_keys(&:to_sym))
      rescue ArgumentError
        klass.new(*fields.values)
      end
    end
  end

  # The IO the generated continuation writes its poll code to, seen on the way.
  class CodeTap
    def initialize(io, listeners)
      @io = io
      @listeners = listeners
    end

    def putc(code)
      written = @io.putc(code)
      @listeners.each { |listener| listener.call(code) }
      written
    end
  end

  # The fixtures' control exports, by the library name the generated code loads (the same
  # library object: the loader finds the same file).
  module Controls
    SIGNATURES = {
      asyncabi_fixture_configure: [%i[uint64 double], :void],
      asyncabi_fixture_set_mode: [[:string], :int],
      asyncabi_monitor_reset: [[], :void],
      asyncabi_monitor_set_scenario: [[:string], :void],
      asyncabi_monitor_finish: [[], :uint32],
      asyncabi_monitor_report_json: [[], :pointer],
      asyncabi_monitor_free_string: [[:pointer], :void]
    }.freeze

    def self.for(cdylib_name)
      (@modules ||= {})[cdylib_name] ||= Module.new do
        extend FFI::Library
        ffi_lib cdylib_name
        SIGNATURES.each do |name, (args, ret)|
          attach_function name, args, ret
        rescue FFI::NotFoundError
          next # the Rust producer has no monitor
        end
      end
    end
  end

  # Generated-API values to the protocol's JSON: objects become {"$object": class name},
  # records hashes of their fields, byte strings {"$bytes": hex}, strings longer than 4096
  # characters {"$string": {"length", "sha256"}}.
  def self.to_json(value)
    case value
    when nil, true, false, Integer, Float then value
    when String
      if value.encoding == Encoding::BINARY
        { '$bytes' => value.unpack1('H*') }
      elsif value.length > LONG_STRING
        { '$string' => { 'length' => value.length, 'sha256' => Digest::SHA256.hexdigest(value) } }
      else
        value
      end
    when Array then value.map { |v| to_json(v) }
    when Hash then value.to_h { |k, v| [k.to_s, to_json(v)] }
    when ForeignObject then { '$foreign' => true }
    else
      if value.respond_to?(:uniffi_clone_handle)
        { '$object' => value.class.name.split('::').last }
      elsif value.instance_variables.any?
        value.instance_variables.to_h { |iv| [iv.to_s.delete_prefix('@'), to_json(value.instance_variable_get(iv))] }
      else
        value.inspect
      end
    end
  end
end
