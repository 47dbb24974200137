include $(sort $(wildcard $(BR2_EXTERNAL_NORTHSTAR_PATH)/package/*/*.mk))
